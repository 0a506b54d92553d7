#!/usr/bin/env python3
"""PyTorch reference for the `distill.sft_step` benchmark (packages/distill/src/distill.bench.ts).

The same step on the same packed batch: the Qwen2 decoder of scripts/reference/torch_train_step.py (vocab 64, hidden
128, 2 layers, 4 heads, FFN 512), inputs [16, 64] with several rows per sequence (segment ids from --layout), position
ids restarting per row, a block-diagonal causal mask, masked mean cross-entropy on the trained targets, AdamW.
Prints one JSON line per thread count: median ms per step. A measuring script only; nothing imports it.
Usage: /usr/bin/python3 packages/distill/bench/torch_sft_step.py --layout FILE [--threads 1,2]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "reference"))
import torch_train_step as ref  # noqa: E402
from blas_check import require_fast_blas  # noqa: E402


def rope(positions):
    inv_freq = 1.0 / ref.THETA ** (torch.arange(0, ref.HEAD_DIM, 2).float() / ref.HEAD_DIM)
    angles = positions.float()[..., None] * inv_freq  # [B, T, hd/2]
    emb = torch.cat((angles, angles), dim=-1)[:, None]  # [B, 1, T, hd]
    return emb.cos(), emb.sin()


def measure(layout, threads, warmup, iterations):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = ref.Model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    ids = torch.tensor(layout["ids"])
    targets = torch.tensor(layout["targets"])
    seg = torch.tensor(layout["segments"])
    loss_mask = torch.tensor(layout["lossMask"], dtype=torch.float32)
    b, t = ids.shape
    pos = torch.zeros_like(seg)
    for r in range(b):
        count, prev = 0, 0
        for j in range(t):
            s = int(seg[r, j])
            count = 0 if s != prev else count
            prev = s
            pos[r, j] = count if s > 0 else 0
            count += 1
    cos, sin = rope(pos)
    same = (seg[:, :, None] == seg[:, None, :]) & (seg[:, :, None] > 0)
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    mask = torch.where(same & causal, 0.0, -1e9)[:, None]  # [B, 1, T, T]

    def step():
        opt.zero_grad(set_to_none=True)
        x = model.embed(ids)
        for layer in model.layers:
            x = layer(x, cos, sin, mask)
        logits = model.lm_head(model.norm(x))
        ce = F.cross_entropy(logits.reshape(-1, ref.VOCAB), targets.reshape(-1), reduction="none")
        loss = (ce * loss_mask.reshape(-1)).sum() / loss_mask.sum()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return {"name": "torch.sft_step", "threads": threads, "ms": statistics.median(times), "min_ms": min(times), "torch": torch.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layout", required=True)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    blas = require_fast_blas()
    with open(args.layout) as f:
        layout = json.load(f)
    for threads in (int(x) for x in args.threads.split(",")):
        print(json.dumps({**measure(layout, threads, args.warmup, args.iterations), "blas": blas}), flush=True)


if __name__ == "__main__":
    main()
