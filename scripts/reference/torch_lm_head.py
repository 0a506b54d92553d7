#!/usr/bin/env python3
"""PyTorch reference for the `engine.lm_head_step` benchmark (packages/model/src/bench/lm-head.bench.ts).

The identical step on the identical shape: nn.Embedding(151936, 64) whose weight is also the LM head (tied), batch 8 x
sequence 128 token ids, logits = embed(ids) @ weight.T, F.cross_entropy (mean over the 1,024 tokens), backward into
the one shared weight. No optimiser step (the @r1 bench has none either).

Prints one JSON line per thread count with the median and min ms per forward + backward (--iterations after --warmup).
Use Debian's torch: /usr/bin/python3 scripts/reference/torch_lm_head.py [--threads 1,2]
This is a measuring script only; nothing in the repo imports it.
"""
import argparse
import json
import statistics
import time

import torch

from blas_check import require_fast_blas
import torch.nn.functional as F

VOCAB, D, BATCH, SEQ = 151936, 64, 8, 128


def measure(threads, warmup, iterations):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    embed = torch.nn.Embedding(VOCAB, D)
    torch.nn.init.normal_(embed.weight, std=0.02)
    data = torch.randint(0, VOCAB, (BATCH, SEQ + 1))
    ids, targets = data[:, :-1], data[:, 1:]
    loss_value = float("nan")

    def step():
        nonlocal loss_value
        embed.weight.grad = None
        h = embed(ids)  # [B, T, D]
        logits = h @ embed.weight.t()  # tied head, [B, T, V]
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))
        loss.backward()
        loss_value = loss.item()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "name": "torch.lm_head_step",
        "threads": threads,
        "lm_head_step_ms": statistics.median(times),
        "lm_head_step_min_ms": min(times),
        "loss": loss_value,
        "iterations": iterations,
        "torch": torch.__version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts (default 1,2)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=5)
    args = parser.parse_args()
    blas = require_fast_blas()
    for threads in (int(t) for t in args.threads.split(",")):
        print(json.dumps({**measure(threads, args.warmup, args.iterations), "blas": blas}), flush=True)


if __name__ == "__main__":
    main()
