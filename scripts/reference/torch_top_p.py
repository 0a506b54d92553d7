#!/usr/bin/env python3
"""PyTorch reference for the `sampler.logits_151k` benchmark (packages/sampler/src/logits.bench.ts).

Sort-based logits processing as Hugging Face's warpers do it, on a [16, 151936] float32 batch of the bench's kind of
rows (a Zipf-like head of 200 tokens over N(0, 2) logits; torch's own RNG, so not the same numbers): temperature 0.6,
then top-p 0.95 (`TopPLogitsWarper`: sort, softmax, cumsum, mask, scatter back) or top-k 50 (`TopKLogitsWarper`:
torch.topk threshold), softmax, one multinomial draw per row. Prints one JSON line per (cut, thread count) with the
median ms per row. Use Debian's torch:
/usr/bin/python3 scripts/reference/torch_top_p.py [--threads 1,2] [--iterations 10]
A measuring script only; nothing in the repo imports it.
"""
import argparse
import json
import statistics
import time

import torch

ROWS, VOCAB, T, TOP_P, TOP_K = 16, 151_936, 0.6, 0.95, 50


def rows(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 2 * torch.randn(ROWS, VOCAB, generator=g)
    steep = torch.linspace(0.3, 3.5, ROWS)
    for r in range(ROWS):
        head = torch.randint(0, VOCAB, (200,), generator=g)
        x[r, head] = 14 - steep[r] * torch.log1p(torch.arange(200.0))
    return x


def top_p(logits):
    scores = logits / T
    sorted_logits, sorted_idx = torch.sort(scores, descending=False)
    cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove_sorted = cum <= (1 - TOP_P)
    remove_sorted[..., -1:] = False
    remove = remove_sorted.scatter(1, sorted_idx, remove_sorted)
    probs = scores.masked_fill(remove, -float("inf")).softmax(dim=-1)
    return torch.multinomial(probs, 1)


def top_k(logits):
    scores = logits / T
    kth = torch.topk(scores, TOP_K)[0][..., -1, None]
    probs = scores.masked_fill(scores < kth, -float("inf")).softmax(dim=-1)
    return torch.multinomial(probs, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=10)
    args = ap.parse_args()
    x = rows()
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for name, fn in (("top_p_0.95", top_p), ("top_k_50", top_k)):
            fn(x)  # warm-up
            times = []
            for _ in range(args.iterations):
                t0 = time.perf_counter()
                fn(x)
                times.append((time.perf_counter() - t0) * 1000 / ROWS)
            print(json.dumps({"name": "torch.logits_151k", "cut": name, "threads": threads,
                              "ms_per_row": round(statistics.median(times), 3)}))


if __name__ == "__main__":
    main()
