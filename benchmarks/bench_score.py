"""End-to-end batch scoring: `rolematch score` as a subprocess on an N-row CSV.

    python benchmarks/bench_score.py [N] [--jobs J] [--novel FRACTION]

Prints rows/s, peak RSS of the whole process tree, and the bare single-process
spaCy tokenizer rate on the same texts, in the same run.
Goals: >= 1,000 postings/s on 2 cores, >= 0.7x the tokenizer rate, peak <= 400 MiB at 100,000 rows.

The N rows cycle through the real postings, so after the first pass their words
are all known. ``--novel 0.1`` replaces that share of each row's words with
random letter strings (seeded), so every row is distinct and the vocabulary never
stops growing: a stress test of the caches' bounds, harsher than real exports.
"""

from __future__ import annotations

import argparse
import csv
import random
import string
import sys
import tempfile
from pathlib import Path

from _common import load_postings, run_measured, tokenizer_rate


def _at_least_one(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1")
    return n


def _share(value: str) -> float:
    x = float(value)
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=_at_least_one, default=10_000, help="rows to score (default 10,000)")
    ap.add_argument("--jobs", type=_at_least_one, default=None, help="worker processes (default: all cores)")
    ap.add_argument("--chunk-size", type=_at_least_one, default=None, help="rows per task (default: rolematch's)")
    ap.add_argument("--novel", type=_share, default=0.0, help="share (0-1) of each row's words replaced by random ones")
    args = ap.parse_args()
    rng = random.Random(0)
    texts, source = load_postings()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "postings.csv"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "description"])
            sample: list[str] = []  # the rows' own texts, for the tokenizer rate when they are made distinct
            for i in range(args.n):
                text = _novel(texts[i % len(texts)], args.novel, rng) if args.novel else texts[i % len(texts)]
                w.writerow([i, text])
                if args.novel and i < 2 * len(texts):
                    sample.append(text)
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
    tok = tokenizer_rate(sample, warm=False) if args.novel else tokenizer_rate(texts)
    mean_len = sum(len(texts[i % len(texts)]) for i in range(min(args.n, len(texts)))) / min(args.n, len(texts))
    novel = f", {args.novel:.0%} of words replaced by random ones" if args.novel else ""
    print(f"rows: {args.n:,} (cycled from {len(texts)} postings in {source}{novel}, mean {mean_len:,.0f} characters); "
          f"output rows: {rows:,}")
    print(f"rolematch score: {wall:.1f} s wall, {args.n / wall:,.0f} rows/s end to end (jobs={args.jobs or 'all cores'})")
    print(f"peak RSS of the process tree: {peak_kib / 1024:,.0f} MiB "
          f"(PSS, shared pages counted once: {peak_pss_kib / 1024:,.0f} MiB)")
    print(f"bare spacy.blank tokenizer, single process: {tok:,.0f} postings/s"
          + (f" (fresh, over the first {len(sample):,} rows)" if args.novel else ""))
    print(f"ratio: {args.n / wall / tok:.2f}x the tokenizer rate (goal >= 0.7x; >= 1,000 rows/s)")


def _novel(text: str, share: float, rng: random.Random) -> str:
    """``text`` with about ``share`` of its words replaced by random letter strings."""
    words = text.split(" ")
    for _ in range(round(len(words) * share)):
        words[rng.randrange(len(words))] = "".join(rng.choices(string.ascii_letters, k=rng.randint(4, 10)))
    return " ".join(words)


if __name__ == "__main__":
    main()
