#!/usr/bin/env python3
"""PyTorch reference for the `sampler.logits_real_vocab` benchmark (packages/sampler/src/logits.bench.ts).

Sort-based logits processing as Hugging Face's warpers do it, on the bench's own [16, 151936] float32 rows (a
Zipf-like head of 200 tokens over N(0, 2) logits), which the bench writes to a file when R1_SAMPLER_LOGITS_FILE is
set: temperature 0.6, then top-p 0.95 (`TopPLogitsWarper`: sort, softmax, cumsum, mask, scatter back) or top-k 50
(`TopKLogitsWarper`: torch.topk threshold), softmax, one multinomial draw per row. Prints one JSON line per
(cut, thread count) with the median ms per row. Use Debian's torch:

  R1_SAMPLER_LOGITS_FILE=/tmp/logits.f32 pnpm bench --filter logits.bench
  /usr/bin/python3 scripts/reference/torch_top_p.py --logits /tmp/logits.f32 [--threads 1,2] [--iterations 10]

scripts/reference/side_by_side_sampler.py does both, alternately. A measuring script only; nothing imports it.
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch

from blas_check import require_fast_blas

ROWS, VOCAB, T, TOP_P, TOP_K = 16, 151_936, 0.6, 0.95, 50


def rows(path):
    """The bench's rows: raw little-endian float32, [ROWS, VOCAB], row-major."""
    data = np.fromfile(path, dtype="<f4")
    if data.size != ROWS * VOCAB:
        raise SystemExit(f"{path}: {data.size} floats, expected {ROWS} x {VOCAB}; write it with "
                         "R1_SAMPLER_LOGITS_FILE=PATH pnpm bench --filter logits.bench")
    return torch.from_numpy(data.reshape(ROWS, VOCAB).copy())


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
    ap.add_argument("--logits", required=True, help="the bench's rows (R1_SAMPLER_LOGITS_FILE)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=10)
    args = ap.parse_args()
    blas = require_fast_blas()  # sorting needs no BLAS, but the reference scripts all report theirs
    x = rows(args.logits)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for name, fn in (("top_p_0.95", top_p), ("top_k_50", top_k)):
            fn(x)  # warm-up
            times = []
            for _ in range(args.iterations):
                t0 = time.perf_counter()
                fn(x)
                times.append((time.perf_counter() - t0) * 1000 / ROWS)
            print(json.dumps({"name": "torch.logits_real_vocab", "cut": name, "threads": threads,
                              "ms_per_row": round(statistics.median(times), 3), "blas": blas}))


if __name__ == "__main__":
    main()
