#!/usr/bin/env python3
"""Side-by-side measurement of the sampler at Qwen's vocabulary against PyTorch (issue 17), alternating the two for
--rounds rounds so a noisy, shared machine colours both sides alike:

- `sampler.logits_real_vocab` (ms per row, T 0.6 + top-p 0.95 on 16 rows x 151,936): the bench writes its rows to a
  temp file, torch_top_p.py runs Hugging Face's sort-based top-p on those same logits. Bar: ours >= 5x faster than
  PyTorch at its best (1 or 2 threads).
- `sampler.decode_real_vocab` (tokens/s, a tiny random 1-layer Qwen2 at vocab 151,936, 16 rows, 48 new tokens,
  T 0.6, top-p 0.95): the bench (R1_WASM_THREADS 1 and 2) against torch_decode_real_vocab.py (1 and 2 threads).
  Bar: ours >= 0.8x PyTorch, best of each side.

Prints one JSON line per run, then per configuration the median over rounds, the ratios and the load average.

  /usr/bin/python3 scripts/reference/side_by_side_sampler.py [--only logits|decode] [--rounds 2] [--iterations 3]

The ratio is taken within each round (best of each side), so both sides see the same load.

Run from the repository root (it calls `pnpm bench`). A measuring script only; nothing imports it.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def bench(filter_text, env):
    out = subprocess.run(["pnpm", "--silent", "bench", "--json", "--filter", filter_text], check=True,
                         capture_output=True, text=True, env=dict(os.environ, **env)).stdout
    return {r["name"]: r for r in (json.loads(l) for l in out.splitlines() if l.startswith("{"))}


def torch(script, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, script), *args], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def logits_round(path, iterations):
    row = bench("logits.bench", {"R1_SAMPLER_LOGITS_FILE": path, "R1_SAMPLER_LOGITS_QUICK": "1",
                                 "R1_BENCH_ITERATIONS": str(iterations)})
    ours = row["sampler.logits_real_vocab"]["value"]
    rows = torch("torch_top_p.py", ["--logits", path, "--threads", "1,2", "--iterations", str(2 * iterations)])
    theirs = {r["threads"]: r["ms_per_row"] for r in rows if r["cut"] == "top_p_0.95"}
    return {"ours_ms_per_row": ours, "torch_ms_per_row": theirs}


def decode_round(iterations):
    ours = {}
    for threads in (1, 2):
        row = bench("decode-real-vocab", {"R1_WASM_THREADS": str(threads), "R1_BENCH_ITERATIONS": str(iterations)})
        ours[threads] = row["sampler.decode_real_vocab"]
    rows = torch("torch_decode_real_vocab.py", ["--threads", "1,2", "--iterations", str(max(1, iterations - 1))])
    return {"ours": ours, "torch": {r["threads"]: r for r in rows}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["logits", "decode"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {load()}", flush=True)
    if args.only in (None, "logits"):
        ours, theirs, ratios = [], {1: [], 2: []}, []
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "logits.f32")
            for r in range(args.rounds):
                got = logits_round(path, args.iterations)
                ratio = min(got["torch_ms_per_row"].values()) / got["ours_ms_per_row"]
                print(json.dumps({"bench": "logits", "round": r, **got, "ratio": round(ratio, 2), "load": load()}),
                      flush=True)
                ours.append(got["ours_ms_per_row"])
                ratios.append(ratio)
                for t in (1, 2):
                    theirs[t].append(got["torch_ms_per_row"][t])
        print(f"sampler.logits_real_vocab: ours {statistics.median(ours):.2f} ms/row; PyTorch top-p "
              f"{statistics.median(theirs[1]):.2f} (1 thread), {statistics.median(theirs[2]):.2f} (2 threads) ms/row; "
              f"PyTorch best / ours per round: median {statistics.median(ratios):.2f}x, range "
              f"{min(ratios):.2f}-{max(ratios):.2f}x (bar 5x); load {load()}", flush=True)
    if args.only in (None, "decode"):
        ours, theirs, ratios = {1: [], 2: []}, {1: [], 2: []}, []
        for r in range(args.rounds):
            got = decode_round(args.iterations)
            ratio = max(v["value"] for v in got["ours"].values()) / max(
                v["tokens_per_s"] for v in got["torch"].values())
            print(json.dumps({"bench": "decode", "round": r, **got, "ratio": round(ratio, 2), "load": load()}),
                  flush=True)
            ratios.append(ratio)
            for t in (1, 2):
                ours[t].append(got["ours"][t]["value"])
                theirs[t].append(got["torch"][t]["tokens_per_s"])
        print(f"sampler.decode_real_vocab: ours {statistics.median(ours[1]):.1f} (1 thread), "
              f"{statistics.median(ours[2]):.1f} (2 threads) tokens/s; PyTorch {statistics.median(theirs[1]):.1f} "
              f"(1 thread), {statistics.median(theirs[2]):.1f} (2 threads); ours best / PyTorch best per round: "
              f"median {statistics.median(ratios):.2f}x, range {min(ratios):.2f}-{max(ratios):.2f}x (bar 0.8x); "
              f"load {load()}", flush=True)


if __name__ == "__main__":
    main()
