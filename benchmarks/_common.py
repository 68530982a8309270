"""Shared helpers for the benchmarks: the postings to use and a process-tree RSS sampler."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL_DEV = REPO.parent / "shared" / "eval" / "real_postings_dev.csv"


def load_postings() -> tuple[list[str], str]:
    """Real postings from ../shared/eval when present (read only), else our training data."""
    import pandas as pd

    if EVAL_DEV.exists():
        return pd.read_csv(EVAL_DEV)["description"].tolist(), str(EVAL_DEV)
    print(f"note: {EVAL_DEV} not found; using training_data/ instead")
    texts = []
    for f in sorted((REPO / "training_data").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts, "training_data/"


def tokenizer_rate(texts: list[str], lang: str = "en", rounds: int = 3, warm: bool = True) -> float:
    """Bare ``spacy.blank`` tokenizer postings/s, single process (best of ``rounds``).

    ``warm``: after a first pass over the texts (their words known, as when
    postings repeat); else each round with a fresh tokenizer (distinct postings).
    """
    import spacy

    nlp = spacy.blank(lang)
    if warm:
        for t in texts:
            nlp.tokenizer(t)
    best = 0.0
    for _ in range(rounds):
        if not warm:
            nlp = spacy.blank(lang)
        start = time.perf_counter()
        for t in texts:
            nlp.tokenizer(t)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best


def _tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, stack = [], [root]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _tree_memory_kib(root: int, pss: bool = False) -> int:
    """RSS (or, with ``pss``, proportional set size: shared pages split between their users) of a process tree."""
    total = 0
    for pid in _tree_pids(root):
        try:
            if pss:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    total += int(fh.read().split("\nPss:")[1].split()[0])
            else:
                with open(f"/proc/{pid}/statm") as fh:
                    total += int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], **kw) -> tuple[float, tuple[int, int], subprocess.CompletedProcess]:
    """Run ``cmd``; return (wall seconds, (peak RSS, peak PSS) of the whole process tree in KiB, result).

    RSS counts a page shared by several processes (libraries, the forkserver's
    imports) once per process; PSS splits it between them, so it is what the
    tree really occupies. RSS is sampled every 50 ms, PSS (dearer to read) every 0.5 s.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        tick = 0
        while not done.is_set():
            peak[0] = max(peak[0], _tree_memory_kib(proc.pid))
            if tick % 10 == 0:
                peak[1] = max(peak[1], _tree_memory_kib(proc.pid, pss=True))
            tick += 1
            time.sleep(0.05)

    start = time.perf_counter()
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    t.join()
    return wall, (peak[0], peak[1]), subprocess.CompletedProcess(cmd, proc.returncode, out, err)
