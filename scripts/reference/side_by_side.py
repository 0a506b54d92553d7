#!/usr/bin/env python3
"""Side-by-side measurement of engine.train_step against PyTorch on this machine (the BAR: within 5x of PyTorch at its
best, 1 or 2 intra-op threads). Alternates the runs for --rounds rounds, so a noisy, shared machine colours both sides
alike, then prints the median of each configuration's per-round medians and the ratio of the best of each side.

  /usr/bin/python3 scripts/reference/side_by_side.py [--rounds 3] [--iterations 10]

Run from the repository root (it calls `pnpm bench` and torch_train_step.py).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def torch_run(threads, iterations):
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "torch_train_step.py"), "--threads", str(threads), "--iterations", str(iterations)],
        check=True, capture_output=True, text=True).stdout
    row = json.loads(out.strip().splitlines()[-1])
    return row["train_step_ms"], row["forward_ms"]


def tfjs_run(threads, iterations):
    env = dict(os.environ, R1_WASM_THREADS=str(threads), R1_BENCH_ITERATIONS=str(iterations))
    out = subprocess.run(["pnpm", "--silent", "bench", "--json", "--filter", "engine.bench"],
                         check=True, capture_output=True, text=True, env=env).stdout
    rows = {r["name"]: r for r in (json.loads(l) for l in out.splitlines() if l.startswith("{"))}
    return rows["engine.train_step"]["value"], rows["engine.forward"]["value"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    configs = [("torch", 1, torch_run), ("torch", 2, torch_run), ("tfjs-wasm", 1, tfjs_run), ("tfjs-wasm", 2, tfjs_run)]
    results = {(name, t): [] for name, t, _ in configs}
    for r in range(args.rounds):
        for name, threads, run in configs:
            train, fwd = run(threads, args.iterations)
            results[(name, threads)].append((train, fwd))
            print(json.dumps({"round": r, "engine": name, "threads": threads, "train_step_ms": round(train, 1),
                              "forward_ms": round(fwd, 1)}), flush=True)
    summary = {}
    for (name, threads), rows in results.items():
        summary[(name, threads)] = (statistics.median(t for t, _ in rows), statistics.median(f for _, f in rows))
        print(f"{name:10s} threads {threads}: train_step {summary[(name, threads)][0]:8.1f} ms   "
              f"forward {summary[(name, threads)][1]:7.1f} ms")
    best_torch = min(v[0] for (n, _), v in summary.items() if n == "torch")
    best_tfjs = min(v[0] for (n, _), v in summary.items() if n == "tfjs-wasm")
    print(f"ratio engine.train_step / PyTorch (best of each): {best_tfjs / best_torch:.2f}x")


if __name__ == "__main__":
    main()
