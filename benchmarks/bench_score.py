"""End-to-end batch scoring: `rolematch score` as a subprocess on an N-row CSV.

    python benchmarks/bench_score.py [N] [--jobs J]

Prints rows/s, peak RSS of the whole process tree, and the bare single-process
spaCy tokenizer rate on the same texts, in the same run.
Goals: >= 1,000 postings/s on 2 cores, >= 0.7x the tokenizer rate, peak <= 400 MiB at 100,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

from _common import load_postings, run_measured, tokenizer_rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--chunk-size", type=int, default=None)
    args = ap.parse_args()
    texts, source = load_postings()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "postings.csv"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "description"])
            for i in range(args.n):
                w.writerow([i, texts[i % len(texts)]])
        cmd = [sys.executable, "-m", "rolematch", "score", str(src), "-o", str(Path(d) / "out.csv"), "-q"]
        if args.jobs:
            cmd += ["-j", str(args.jobs)]
        if args.chunk_size:
            cmd += ["--chunk-size", str(args.chunk_size)]
        wall, (peak_kib, peak_pss_kib), res = run_measured(cmd)
        if res.returncode != 0:
            print(res.stderr)
            sys.exit(1)
        with open(Path(d) / "out.csv", newline="", encoding="utf-8") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1
    tok = tokenizer_rate(texts)
    mean_len = sum(len(texts[i % len(texts)]) for i in range(min(args.n, len(texts)))) / min(args.n, len(texts))
    print(f"rows: {args.n:,} (cycled from {len(texts)} postings in {source}, mean {mean_len:,.0f} characters); "
          f"output rows: {rows:,}")
    print(f"rolematch score: {wall:.1f} s wall, {args.n / wall:,.0f} rows/s end to end (jobs={args.jobs or 'all cores'})")
    print(f"peak RSS of the process tree: {peak_kib / 1024:,.0f} MiB "
          f"(PSS, shared pages counted once: {peak_pss_kib / 1024:,.0f} MiB)")
    print(f"bare spacy.blank tokenizer, single process: {tok:,.0f} postings/s")
    print(f"ratio: {args.n / wall / tok:.2f}x the tokenizer rate (goal >= 0.7x; >= 1,000 rows/s)")


if __name__ == "__main__":
    main()
