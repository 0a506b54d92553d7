#!/usr/bin/env python3
"""Side-by-side measurement of engine.lm_head_step against PyTorch on this machine (the BAR: within 2x of PyTorch at
its best, 1 or 2 intra-op threads). Alternates the four configurations (torch and tfjs-wasm, 1 and 2 threads) for
--rounds rounds, so a noisy, shared machine colours both sides alike, then prints the median of each configuration's
per-round medians, the load average, and the ratio of the best of each side.

  /usr/bin/python3 scripts/reference/side_by_side_lm_head.py [--rounds 3] [--iterations 3]

Run from the repository root (it calls `pnpm bench --filter lm-head` and torch_lm_head.py).
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
        [sys.executable, os.path.join(HERE, "torch_lm_head.py"), "--threads", str(threads),
         "--iterations", str(iterations)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["lm_head_step_ms"]


def tfjs_run(threads, iterations):
    env = dict(os.environ, R1_WASM_THREADS=str(threads), R1_BENCH_ITERATIONS=str(iterations))
    out = subprocess.run(["pnpm", "--silent", "bench", "--json", "--filter", "lm-head.bench"],
                         check=True, capture_output=True, text=True, env=env).stdout
    rows = {r["name"]: r for r in (json.loads(l) for l in out.splitlines() if l.startswith("{"))}
    return rows["engine.lm_head_step"]["value"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()
    configs = [("torch", 1, torch_run), ("torch", 2, torch_run), ("tfjs-wasm", 1, tfjs_run), ("tfjs-wasm", 2, tfjs_run)]
    results = {(name, t): [] for name, t, _ in configs}
    for r in range(args.rounds):
        for name, threads, run in configs:
            ms = run(threads, args.iterations)
            results[(name, threads)].append(ms)
            print(json.dumps({"round": r, "engine": name, "threads": threads, "lm_head_step_ms": round(ms, 1),
                              "loadavg": round(os.getloadavg()[0], 2)}), flush=True)
    summary = {key: statistics.median(rows) for key, rows in results.items()}
    for (name, threads), ms in summary.items():
        print(f"{name:10s} threads {threads}: lm_head_step {ms:9.1f} ms")
    best_torch = min(ms for (n, _), ms in summary.items() if n == "torch")
    best_tfjs = min(ms for (n, _), ms in summary.items() if n == "tfjs-wasm")
    print(f"load average (1/5/15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"ratio engine.lm_head_step / PyTorch (best of each): {best_tfjs / best_torch:.2f}x")


if __name__ == "__main__":
    main()
