"""Boilerplate robustness: does adding a benefits list, a company blurb or an EEO statement change the label?

    python benchmarks/bench_boilerplate.py [--model DIR]

Each posting of benchmarks/data/boilerplate_cases.json (written by us) is classified alone, then with each
boilerplate block of its language (EEO blocks with every posting) put before and after it. Prints how many
of those variants change the label, and per block how much of it the boilerplate finder leaves out.
Goal: few flips; every headed block left out (near 1.0; an unheaded company blurb is not found by design).
"""

from __future__ import annotations

import json
from collections import defaultdict

from _common import REPO


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="model directory (default: the shipped model)")
    args = ap.parse_args()

    import rolematch
    from rolematch.boilerplate import boilerplate_spans
    from rolematch.text import prepare

    cases = json.loads((REPO / "benchmarks" / "data" / "boilerplate_cases.json").read_text(encoding="utf-8"))
    model = rolematch.load_model(args.model)
    flips = total = 0
    covered: dict[str, list[float]] = defaultdict(list)
    for post in cases["postings"]:
        alone = model.classify(post["text"]).label
        for block in cases["blocks"]:
            if ("fr" in block["id"]) != (post["lang"] == "fr") and not block["id"].startswith("eeo"):
                continue
            for text in (block["text"] + "\n" + post["text"], post["text"] + "\n" + block["text"]):
                total += 1
                flips += model.classify(text).label != alone
                prepared, shown = prepare(text).text, prepare(block["text"]).text.strip()
                at = prepared.find(shown[:40])
                inside = sum(max(0, min(e, at + len(shown)) - max(s, at)) for s, e in boilerplate_spans(prepared))
                covered[block["id"]].append(inside / len(shown))
    print(f"{len(cases['postings'])} postings x their blocks, before and after: {total} variants, "
          f"{flips} change the label ({flips / total:.1%})")
    print("share of each block left out as boilerplate:")
    for name, shares in covered.items():
        print(f"  {name:<24} {sum(shares) / len(shares):.2f}")


if __name__ == "__main__":
    main()
