"""Cold start: `rolematch classify` on one posting vs the import floor, same run.

    python benchmarks/bench_startup.py

Goal: <= 1.0 s wall for the English and the French example.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _common import REPO


def wall(cmd: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help; no options
    py = sys.executable
    floor = wall([py, "-c", "import spacy, sklearn"])
    print(f"import floor (python -c 'import spacy, sklearn'): {floor:.2f} s (median of 5)")
    for name in ("posting_en.txt", "posting_fr.txt"):
        t = wall([py, "-m", "rolematch", "classify", str(REPO / "examples" / name)])
        print(f"rolematch classify examples/{name}: {t:.2f} s (median of 5; goal <= 1.0 s)")


if __name__ == "__main__":
    main()
