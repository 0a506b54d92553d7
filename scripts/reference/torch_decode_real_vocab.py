#!/usr/bin/env python3
"""PyTorch reference for the `sampler.decode_real_vocab` benchmark (packages/sampler/src/decode-real-vocab.bench.ts).

A plain KV-cache decoding loop on a tiny random Qwen2-style model at Qwen's vocabulary — vocab 151,936, hidden 32,
1 layer, 4 heads, 4 kv heads, FFN 64 (torch_decode.py's model at this shape: q/k/v biases, RMSNorm, rotary, SwiGLU,
an untied LM head; weight matrices N(0, 0.02), HF's initializer_range) — 2 prompts of 16 tokens prefilled once, each cache repeated for n = 8 samples (16 rows),
then 48 steps of one token per row, caches grown by concatenation. Sampling as Hugging Face's warpers do it:
temperature 0.6, then `TopPLogitsWarper` at 0.95 (sort, softmax, cumsum, mask, scatter back), softmax, one
multinomial draw per row. Prints one JSON line per thread count with the median generated tokens/s and the ms per
step of the forward (LM head included) and of the sampling. Use Debian's torch:

  /usr/bin/python3 scripts/reference/torch_decode_real_vocab.py [--threads 1,2] [--iterations 3]

scripts/reference/side_by_side_sampler.py runs it alternately with the bench. A measuring script only.
"""
import argparse
import json
import statistics
import time

import torch

from blas_check import require_fast_blas
import torch_decode as toy  # the toy-vocab reference's Qwen2-style model, reused at this shape
from torch_top_p import top_p as top_p_sample  # HF's TemperatureLogitsWarper + TopPLogitsWarper, T 0.6, 0.95

# torch_decode's layers read its module constants when called, so setting them gives the same code at this shape.
toy.VOCAB, toy.D, toy.LAYERS, toy.HEADS, toy.KV_HEADS, toy.FFN = 151_936, 32, 1, 4, 4, 64
toy.HEAD_DIM = toy.D // toy.HEADS
PROMPTS, N, PROMPT_LEN, NEW_TOKENS = 2, 8, 16, 48


def make_model():
    model = toy.Model().eval()
    for p in model.parameters():
        if p.dim() == 2:
            torch.nn.init.normal_(p, std=0.02)  # HF's initializer_range, as @r1/model's init
    return model


@torch.no_grad()
def generate(model, prompts, timing):
    """Prefill, repeat each prompt's cache for its N samples, then NEW_TOKENS draws per row; returns tokens drawn."""
    logits, caches = model(prompts, 0, None)
    rows = torch.arange(PROMPTS).repeat_interleave(N)
    caches = [(k[rows], v[rows]) for k, v in caches]
    last = logits[:, -1][rows]
    for step in range(NEW_TOKENS):
        t0 = time.perf_counter()
        nxt = top_p_sample(last)
        timing["sample"].append(time.perf_counter() - t0)
        if step < NEW_TOKENS - 1:
            t0 = time.perf_counter()
            logits, caches = model(nxt, PROMPT_LEN + step, caches)
            last = logits[:, -1]
            timing["forward"].append(time.perf_counter() - t0)
    return NEW_TOKENS * len(rows)


def measure(model, prompts, threads, iterations):
    """One JSON line: median tokens/s over `iterations` generations (after one untimed), ms per step by phase."""
    torch.set_num_threads(threads)
    generate(model, prompts, {"sample": [], "forward": []})
    timing = {"sample": [], "forward": []}
    rates = []
    for _ in range(iterations):
        start = time.perf_counter()
        tokens = generate(model, prompts, timing)
        rates.append(tokens / (time.perf_counter() - start))
    return {"name": "torch.decode_real_vocab", "threads": threads, "tokens_per_s": round(statistics.median(rates), 1),
            "forward_ms": round(1000 * statistics.median(timing["forward"]), 2),
            "sample_ms": round(1000 * statistics.median(timing["sample"]), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts")
    args = parser.parse_args()
    blas = require_fast_blas()
    torch.manual_seed(0)
    model = make_model()
    prompts = torch.randint(0, toy.VOCAB, (PROMPTS, PROMPT_LEN))
    for threads in map(int, args.threads.split(",")):
        print(json.dumps({**measure(model, prompts, threads, args.iterations), "blas": blas}), flush=True)


if __name__ == "__main__":
    main()
