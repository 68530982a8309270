"""What a posting costs in the Python API, with and without its evidence, single process.

    python benchmarks/bench_evidence.py [--rounds R] [--long N]

Prints CPU milliseconds per posting (best of R rounds, warm caches) for
``classify_many`` without and with ``explain=True``, ``score_frame`` with
``explain=True``, and ``classify`` called once per posting (which always
explains). ``--long N`` also times one posting followed by a run of N ``=``
characters without a space (spaCy's tokenizer splits such a run in quadratic
time; rolematch breaks it up, see ``rolematch.text.break_symbol_runs``).
"""

from __future__ import annotations

import argparse
import time

from _common import load_postings


def _best_ms(fn, n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return 1000 * best / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per measure (the best is printed)")
    ap.add_argument("--long", type=int, default=100_000, help="length of the '=' run of the last measure (0: skip)")
    args = ap.parse_args()
    import pandas as pd

    import rolematch

    texts, source = load_postings()
    model = rolematch.load_model()
    list(model.classify_many(texts[:100], explain=True))  # warm: pipelines, caches
    frame = pd.DataFrame({"description": texts})
    one = texts[:300]
    print(f"{len(texts)} postings from {source}; CPU ms per posting, best of {args.rounds}")
    print(f"classify_many, no evidence:     {_best_ms(lambda: list(model.classify_many(texts)), len(texts), args.rounds):6.2f}")
    print(f"classify_many(explain=True):    "
          f"{_best_ms(lambda: list(model.classify_many(texts, explain=True)), len(texts), args.rounds):6.2f}")
    print(f"score_frame(explain=True):      "
          f"{_best_ms(lambda: model.score_frame(frame, explain=True), len(texts), args.rounds):6.2f}")
    print(f"classify(), one at a time:      {_best_ms(lambda: [model.classify(t) for t in one], len(one), 1):6.2f}")
    if args.long:
        text = texts[0] + "\n" + "=" * args.long
        start = time.perf_counter()
        model.classify(text)
        print(f"classify(), posting + {args.long:,} '=': {time.perf_counter() - start:.2f} s wall")


if __name__ == "__main__":
    main()
