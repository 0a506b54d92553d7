#!/usr/bin/env python3
"""PyTorch reference for the `sampler.decode` benchmark (packages/sampler/src/decode.bench.ts).

A plain KV-cache decoding loop on the reference tiny Qwen2 (vocab 64, hidden 128, 2 layers, 4 heads, 4 kv heads,
FFN 512): 8 prompts of 16 tokens prefilled once, each cache repeated for n = 8 samples, then 48 steps of one token
per row (softmax at temperature 1, multinomial draw), caches grown by concatenation. Prints one JSON line per thread
count with the median generated tokens/s. Use Debian's torch:
/usr/bin/python3 scripts/reference/torch_decode.py [--threads 1,2] [--iterations 5]
A measuring script only; nothing in the repo imports it.
"""
import argparse
import json
import statistics
import time

import torch

from blas_check import require_fast_blas

VOCAB, D, LAYERS, HEADS, KV_HEADS, FFN, EPS, THETA = 64, 128, 2, 4, 4, 512, 1e-6, 10000.0
HEAD_DIM = D // HEADS
PROMPTS, N, PROMPT_LEN, NEW_TOKENS = 8, 8, 16, 48


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def rotate_half(x):
    x1, x2 = x[..., : HEAD_DIM // 2], x[..., HEAD_DIM // 2 :]
    return torch.cat((-x2, x1), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n1 = torch.nn.Parameter(torch.ones(D))
        self.n2 = torch.nn.Parameter(torch.ones(D))
        self.q = torch.nn.Linear(D, HEADS * HEAD_DIM)
        self.k = torch.nn.Linear(D, KV_HEADS * HEAD_DIM)
        self.v = torch.nn.Linear(D, KV_HEADS * HEAD_DIM)
        self.o = torch.nn.Linear(D, D, bias=False)
        self.gate = torch.nn.Linear(D, FFN, bias=False)
        self.up = torch.nn.Linear(D, FFN, bias=False)
        self.down = torch.nn.Linear(FFN, D, bias=False)

    def forward(self, x, cos, sin, cache):
        b, t, _ = x.shape
        h = rms(x, self.n1)
        q = self.q(h).view(b, t, HEADS, HEAD_DIM).transpose(1, 2)
        k = self.k(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        v = self.v(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        s = k.shape[2]
        att = (q @ k.transpose(-1, -2)) / HEAD_DIM**0.5
        if t > 1:
            mask = torch.ones(t, s, dtype=torch.bool).tril(s - t)
            att = att.masked_fill(~mask, float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D)
        x = x + self.o(y)
        h = rms(x, self.n2)
        x = x + self.down(torch.nn.functional.silu(self.gate(h)) * self.up(h))
        return x, (k, v)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, D)
        self.layers = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.norm = torch.nn.Parameter(torch.ones(D))
        self.head = torch.nn.Linear(D, VOCAB, bias=False)
        inv = 1.0 / (THETA ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM))
        freqs = torch.outer(torch.arange(512).float(), inv)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos_table, self.sin_table = emb.cos(), emb.sin()

    def forward(self, ids, start, caches):
        t = ids.shape[1]
        cos = self.cos_table[start : start + t][None, None]
        sin = self.sin_table[start : start + t][None, None]
        x = self.embed(ids)
        new = []
        for i, layer in enumerate(self.layers):
            x, c = layer(x, cos, sin, None if caches is None else caches[i])
            new.append(c)
        return self.head(rms(x, self.norm)), new


@torch.no_grad()
def generate(model, prompts):
    logits, caches = model(prompts, 0, None)
    rows = torch.arange(PROMPTS).repeat_interleave(N)
    caches = [(k[rows], v[rows]) for k, v in caches]
    last = logits[rows, -1]
    generated = 0
    for step in range(NEW_TOKENS):
        nxt = torch.multinomial(last.softmax(-1), 1)
        generated += nxt.shape[0]
        if step == NEW_TOKENS - 1:
            break
        logits, caches = model(nxt, PROMPT_LEN + step, caches)
        last = logits[:, -1]
    return generated


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=5)
    args = ap.parse_args()
    blas = require_fast_blas()
    torch.manual_seed(0)
    model = Model().eval()
    prompts = torch.randint(0, VOCAB, (PROMPTS, PROMPT_LEN))
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        generate(model, prompts)
        rates = []
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            n = generate(model, prompts)
            rates.append(n / (time.perf_counter() - t0))
        print(json.dumps({"name": "torch.decode", "threads": threads, "tokens_per_s": round(statistics.median(rates)),
                          "blas": blas}))


if __name__ == "__main__":
    main()
