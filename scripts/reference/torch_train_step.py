#!/usr/bin/env python3
"""PyTorch reference for the `engine.train_step` / `engine.forward` benchmarks (packages/model/src/bench/engine.bench.ts).

Runs the identical step on the identical shape: a Qwen2 decoder (token embedding, 2 x [RMSNorm -> GQA attention with
q/k/v bias, RoPE (rotate_half, theta 1e4), causal softmax -> residual -> RMSNorm -> SwiGLU MLP -> residual] -> RMSNorm
-> untied LM head), vocab 64, hidden 128, 4 heads, 4 kv heads, FFN 512, batch 16, sequence 64, mean cross-entropy on
next tokens, torch.optim.AdamW(lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01).

Prints one JSON line per thread count with the median ms per train step and per forward (median of --iterations after
--warmup). Use Debian's torch: /usr/bin/python3 scripts/reference/torch_train_step.py [--threads 1,2]
This is a measuring script only; nothing in the repo imports it.
"""
import argparse
import json
import math
import statistics
import time

import torch

from blas_check import require_fast_blas
import torch.nn.functional as F

VOCAB, D, LAYERS, HEADS, KV_HEADS, FFN, BATCH, SEQ, EPS, THETA = 64, 128, 2, 4, 4, 512, 16, 64, 1e-6, 10000.0
HEAD_DIM = D // HEADS


class RMSNorm(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.input_norm = RMSNorm(D)
        self.q = torch.nn.Linear(D, HEADS * HEAD_DIM, bias=True)
        self.k = torch.nn.Linear(D, KV_HEADS * HEAD_DIM, bias=True)
        self.v = torch.nn.Linear(D, KV_HEADS * HEAD_DIM, bias=True)
        self.o = torch.nn.Linear(HEADS * HEAD_DIM, D, bias=False)
        self.post_norm = RMSNorm(D)
        self.gate = torch.nn.Linear(D, FFN, bias=False)
        self.up = torch.nn.Linear(D, FFN, bias=False)
        self.down = torch.nn.Linear(FFN, D, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.input_norm(x)
        q = self.q(h).view(b, t, HEADS, HEAD_DIM).transpose(1, 2)
        k = self.k(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        v = self.v(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = HEADS // KV_HEADS
        if groups > 1:
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD_DIM) + mask
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + self.o(attn.transpose(1, 2).reshape(b, t, HEADS * HEAD_DIM))
        h = self.post_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, D)
        self.layers = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.norm = RMSNorm(D)
        self.lm_head = torch.nn.Linear(D, VOCAB, bias=False)
        for m in self.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Embedding)):
                torch.nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, torch.nn.Linear) and m.bias is not None:
                torch.nn.init.zeros_(m.bias)
        inv_freq = 1.0 / THETA ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM)
        angles = torch.outer(torch.arange(SEQ).float(), inv_freq)
        emb = torch.cat((angles, angles), dim=-1)
        self.register_buffer("cos", emb.cos()[None, None])
        self.register_buffer("sin", emb.sin()[None, None])
        self.register_buffer("mask", torch.full((SEQ, SEQ), float("-inf")).triu(1)[None, None])

    def forward(self, ids):
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin, self.mask)
        return self.lm_head(self.norm(x))


def measure(threads, warmup, iterations):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    data = torch.randint(0, VOCAB, (BATCH, SEQ + 1))
    ids, targets = data[:, :-1], data[:, 1:]

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids).reshape(-1, VOCAB), targets.reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()

    def forward():
        with torch.no_grad():
            model(ids).sum().item()

    def timed(fn):
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return times

    train = timed(train_step)
    fwd = timed(forward)
    return {
        "name": "torch.train_step",
        "threads": threads,
        "train_step_ms": statistics.median(train),
        "train_step_min_ms": min(train),
        "forward_ms": statistics.median(fwd),
        "forward_min_ms": min(fwd),
        "iterations": iterations,
        "torch": torch.__version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts (default 1,2)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    blas = require_fast_blas()
    for threads in (int(t) for t in args.threads.split(",")):
        print(json.dumps({**measure(threads, args.warmup, args.iterations), "blas": blas}), flush=True)


if __name__ == "__main__":
    main()
