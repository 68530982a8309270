"""Extraction speed vs the bare spaCy tokenizer, single process, same postings, same run.

    python benchmarks/bench_extract.py

Goal: rolematch extraction >= 0.6x the bare ``spacy.blank`` tokenizer rate.

Also printed: rolematch's own tokenizer alone (spaCy's tokenizer behind a
chunk cache, same tokens; see ``rolematch.pipelines.ChunkCachingTokenizer``),
which is where most of the margin comes from, and extraction in batches
(``extract_many``: token arrays from ``rolematch.pieces``, no ``Doc``).
"""

from __future__ import annotations

import sys
import time

from _common import EVAL_DEV, load_postings, tokenizer_rate

ROUNDS = 5


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help; no options
    if not EVAL_DEV.exists():
        print(f"skipped: {EVAL_DEV} not found (the benchmark runs on the real postings)")
        return
    from rolematch.extract import Extractor

    texts, source = load_postings()
    ex = Extractor()
    for t in texts:  # warm: pipelines built, vocab filled
        ex.extract(t)
    # Rounds of the two alternate, so a slow spell on this shared VM hits both alike; best of each.
    prepared = [ex.prepare(t) for t in texts]
    tok = best = ours = batch = 0.0
    n = 0
    for _ in range(ROUNDS):
        tok = max(tok, tokenizer_rate(texts, rounds=1))
        start = time.perf_counter()
        n = 0
        for t in texts:
            n += len(ex.extract(t).matches)
        best = max(best, len(texts) / (time.perf_counter() - start))
        start = time.perf_counter()
        for p, lang in prepared:
            ex.nlp(lang).make_doc(p.text)
        ours = max(ours, len(texts) / (time.perf_counter() - start))
        start = time.perf_counter()
        for _ in ex.extract_many(texts):  # batches: token arrays from the piece cache, no Doc
            pass
        batch = max(batch, len(texts) / (time.perf_counter() - start))
    print(f"postings: {len(texts)} from {source}, mean {sum(map(len, texts)) / len(texts):,.0f} characters")
    print(f"bare spacy.blank tokenizer: {tok:,.0f} postings/s")
    print(f"rolematch tokenizer alone:  {ours:,.0f} postings/s (identical tokens, chunk cache kept filled)")
    print(f"rolematch extraction:       {best:,.0f} postings/s ({n:,} matches)")
    print(f"rolematch extract_many:     {batch:,.0f} postings/s (batches: token arrays, no Doc)")
    print(f"ratio: {best / tok:.2f}x (goal >= 0.6x); batches {batch / tok:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
