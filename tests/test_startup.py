"""The rolematch command defers spaCy's own CLI (cold start), without breaking anything that needs it."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_classify_command_imports_only_what_it_needs():
    """No spaCy CLI, no scipy, joblib or scikit-learn: the cold start of `rolematch classify`."""
    out = _run(
        "import sys\n"
        "from rolematch.cli import cli\n"
        "try:\n"
        "    cli(['classify', 'examples/posting_en.txt', '--json'], standalone_mode=False)\n"
        "finally:\n"
        "    print()\n"
        "    print(sorted(m for m in ('typer', 'weasel', 'jinja2', 'httpx', 'scipy', 'joblib', 'sklearn')"
        " if m in sys.modules))\n")
    assert '"label"' in out
    assert out.splitlines()[-1] == "[]"


def test_score_reader_process_stays_light(tmp_path):
    """With workers, score's own process only reads and writes: no numpy, spaCy or pandas (13 MiB when the
    model's rule check came from rolematch.api)."""
    out = _run(
        "import sys\n"
        "from rolematch.batch import score_file\n"
        f"score_file('examples/postings.csv', {str(tmp_path / 'o.csv')!r}, jobs=2, progress=False)\n"
        "print(sorted(m for m in ('numpy', 'spacy', 'pandas', 'scipy', 'sklearn') if m in sys.modules))\n")
    assert out.splitlines()[-1] == "[]"
    assert (tmp_path / "o.csv").exists()


def test_deferred_spacy_cli_loads_for_real_when_used():
    out = _run(
        "import sys\n"
        "from rolematch.startup import defer_spacy_cli\n"
        "defer_spacy_cli()\n"
        "import spacy\n"
        "print('typer' in sys.modules)\n"
        "print(sorted(spacy.info()))\n"      # spacy.info: the real function
        "import spacy.cli\n"
        "print(callable(spacy.cli.download), 'typer' in sys.modules)\n"
        "from spacy.cli.info import info\n"
        "print(info.__module__)\n")
    lines = out.splitlines()
    assert lines[0] == "False"
    assert "spacy_version" in lines[1]
    assert lines[2] == "True True"
    assert lines[3] == "spacy.cli.info"


def test_defer_is_a_no_op_once_spacy_is_imported():
    out = _run(
        "import sys, spacy\n"
        "from rolematch.startup import defer_spacy_cli, _Finder\n"
        "defer_spacy_cli()\n"
        "print(any(isinstance(f, _Finder) for f in sys.meta_path), type(spacy.cli).__name__)\n")
    assert out == "False module"


def test_entry_point_keeps_exit_codes_and_output(tmp_path):
    """`python -m rolematch` exits at once after flushing, with click's exit codes."""
    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "rolematch", *args], capture_output=True, text=True,
                              cwd=REPO, input=stdin, timeout=120)

    ok = run("classify", "examples/posting_en.txt", "-", "--json", stdin="We deploy ML models with Docker. " * 20)
    assert ok.returncode == 0 and len(ok.stdout.strip().splitlines()) == 2 and ok.stderr == ""
    missing = run("classify", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "nope.txt" in missing.stderr and "Traceback" not in missing.stderr
    usage = run("no-such-command")
    assert usage.returncode == 2 and "No such command" in usage.stderr
    assert run("--version").stdout.startswith("rolematch, version")


def test_score_with_workers_leaves_no_multiprocessing_temp_folder(tmp_path):
    """The exit that skips interpreter teardown also skipped multiprocessing's removal of its pymp-* folder."""
    import os

    temp = tmp_path / "tmp"
    temp.mkdir()
    res = subprocess.run([sys.executable, "-m", "rolematch", "score", "examples/postings.csv", "-o",
                          str(tmp_path / "out.csv"), "-q", "-j", "2"], capture_output=True, text=True, cwd=REPO,
                         timeout=120, env={**os.environ, "TMPDIR": str(temp)})
    assert res.returncode == 0, res.stderr
    assert list(temp.iterdir()) == []
