"""Command line: a thin layer over the library.

Every command parses options, calls one library function and turns rolematch's
own exceptions into one-line errors with a non-zero exit code.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from rolematch import __version__
from rolematch.errors import InputError, RolematchError, Terminated, UnsupportedLanguageError

LANG = click.Choice(["en", "fr"], case_sensitive=False)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """A warning as one line on stderr, without Python's source location and code line."""
    click.echo(f"Warning: {message}", err=True)


def _positive_c(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``-C`` must be a finite number above 0."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value} is not a finite number above 0 (try 0.5, the default)")
    return value


#: errors of a full or failing output device
_WRITE_ERRNOS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO") if hasattr(errno, name))


class _Group(click.Group):
    """Turns library errors, interrupts and surprises into one-line messages (no tracebacks)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except RolematchError as exc:
            raise click.ClickException(str(exc)) from None
        except Terminated as exc:
            click.echo(f"Terminated (signal {exc.signum}).", err=True)
            ctx.exit(128 + exc.signum)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            ctx.exit(1)
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS:  # what is left after every file is handled: standard output (> /dev/full)
                raise click.ClickException(f"cannot write the output: {exc.strerror}") from None
            raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc}") from None
        except Exception as exc:  # last resort: one line, never a traceback
            raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc}") from None


def _title_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--title`` is checked once, before any file is read (not reported once per file)."""
    from rolematch.scoring import check_title

    try:
        check_title(value)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _encoding_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--encoding`` must name a text encoding (not rot13 or base64), as ``score`` checks it."""
    from rolematch.batch_io import encoding_of

    if value is not None:
        try:
            encoding_of(b"", value)
        except InputError as exc:
            raise click.BadParameter(str(exc).removeprefix("--encoding: ")) from None
    return value


_ENCODING_HELP = "Encoding of the files (default: detected: UTF-8, UTF-8/16/32 with BOM, cp1252)."


def _read(path: str, encoding: str | None = None) -> str:
    """One posting's text; a table of postings (CSV, TSV, JSONL, Parquet) is refused with a pointer to ``score``."""
    from rolematch.table import format_of
    from rolematch.text import read_posting

    if path == "-":
        if sys.stdin is None:  # started with stdin closed
            raise InputError("cannot read: standard input is closed", "<stdin>")
        return read_posting(sys.stdin.buffer, encoding)
    try:
        fmt = format_of(path)
    except InputError:
        return read_posting(path, encoding)
    raise InputError(f"a {fmt.upper()} table of postings, not one posting: score its rows with "
                     f"`rolematch score {path} -o scored.csv` (add --text-column NAME if needed)", path)


def _require_stdout() -> None:
    """Refuse to start when standard output is closed (`>&-`): the results would be lost while the exit
    code said all was well."""
    if sys.stdout is None:
        raise click.ClickException("standard output is closed; nothing could be written (redirect it to a file)")


def _in_file_order(problems: list[str]) -> list[str]:
    """``file:line: reason`` problems by file (in order of first mention), then line."""
    files: dict[str, int] = {}

    def key(problem: str) -> tuple[int, int]:
        m = re.match(r"(.+?):(\d+): ", problem)
        name, line = (m.group(1), int(m.group(2))) if m else (problem.split(": ", 1)[0], 0)
        return files.setdefault(name, len(files)), line

    return sorted(problems, key=key)


def _each_file(files: Sequence[str], fn: Callable[[str, str], None], encoding: str | None = None,
               as_json: bool = False) -> None:
    """Run ``fn(name, text)`` per file; report bad files on stderr, go on, fail at the end.

    With ``as_json`` a bad file also gets its line on stdout, ``{"source": ..., "error": ...}``, so the
    output holds one JSON object per file, in order.
    """
    from rolematch.batch_io import encodable

    _require_stdout()
    failed = 0
    for f in files:
        name = "<stdin>" if f == "-" else encodable(f)  # a file name that is not UTF-8 (surrogate escapes) as \udcXX
        try:
            fn(name, _read(f, encoding))
        except InputError as exc:
            failed += 1
            hint = f" (read as {encoding}: is --encoding right?)" if encoding and isinstance(
                exc, UnsupportedLanguageError) else ""
            click.echo(f"Error: {encodable(str(exc))}{hint}", err=True)
            if as_json:
                click.echo(json.dumps({"source": name, "error": encodable(exc.message) + hint}, ensure_ascii=False))
    if failed:
        raise click.exceptions.Exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rolematch")
def cli() -> None:
    """Which role does a job posting really describe?

    ML engineer, ML scientist, data scientist, or other -- with calibrated
    confidence, the evidence, and the skills it asks for. English and French.

    Example:

        rolematch classify examples/posting_en.txt
    """
    from rolematch.startup import defer_spacy_cli

    defer_spacy_cli()  # this process never runs spaCy's own CLI: do not import it


# -- skills ---------------------------------------------------------------------------
def _print_skills(report: Any) -> None:
    if not report.matches:
        click.echo("  (no skills or responsibilities found)")
    for kind, matches in sorted(report.by_kind().items()):
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.id] = counts.get(m.id, 0) + 1
        items = ", ".join(f"{k} x{v}" if v > 1 else k for k, v in counts.items())
        click.echo(f"  {kind}: {items}")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--lang", type=LANG, help="Force the language instead of detecting it.")
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True), help="Extra rules directory (repeatable).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per file (JSON Lines), in order; a file that fails gets {"source", "error"}.')
@click.option("--encoding", callback=_encoding_option, help=_ENCODING_HELP)
def skills(files: tuple[str, ...], lang: str | None, rules: tuple[str, ...], as_json: bool,
           encoding: str | None) -> None:
    """List the skills, responsibilities and tools a posting asks for.

    FILES are text or HTML postings, one per file; - reads standard input.
    For a table of postings (CSV, TSV, JSONL, Parquet) use `rolematch score`.

    Example:

        rolematch skills examples/posting_fr.txt --json
    """
    from rolematch.extract import Extractor

    ex = Extractor(rules)

    def one(name: str, text: str) -> None:
        report = ex.extract(text, lang=lang, source=name)
        if as_json:
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            click.echo(f"{name} [{report.lang}]: {len(report.matches)} matches, {len(report.counts)} distinct")
            _print_skills(report)

    _each_file(files, one, encoding, as_json)


# -- classify -------------------------------------------------------------------------
def _print_result(name: str, res: Any) -> None:
    scope = "in scope" if res.in_scope else "out of scope"
    click.echo(f"{name}: {res.label} ({res.confidence:.2f})  [{res.lang}, {scope}]")
    probs = "  ".join(f"{k} {v:.2f}" for k, v in sorted(res.probabilities.items(), key=lambda kv: -kv[1]))
    click.echo(f"  probabilities: {probs}")
    ev = [c for c in res.evidence.get(res.label, []) if c.kind != "sentence"]
    if ev:
        parts = []
        for c in ev:
            if c.kind in ("rule", "mention"):
                where = ",".join(f"{s}-{e}" for s, e in c.spans[:3])
                more = f" +{len(c.spans) - 3} more" if len(c.spans) > 3 else ""  # all of them in --json
                parts.append(f"[{c.feature} @{where}{more}]")
            else:
                parts.append(f"{c.feature!r}" + (" (title)" if c.kind == "title" else ""))
        click.echo(f"  evidence for {res.label}: " + ", ".join(parts))
    for c in res.evidence.get(res.label, []):
        if c.kind == "sentence":
            click.echo(f"  sentence for {res.label}: \"{c.feature}\" @{c.spans[0][0]}-{c.spans[0][1]}")
    _print_skills(res.skills)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--title", callback=_title_option, help="The posting's title (used as a feature when given).")
@click.option("--lang", type=LANG, help="Force the language instead of detecting it.")
@click.option("--model", "model_dir", type=click.Path(), help="Model directory (default: the shipped model).")
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True), help="Extra rules directory (repeatable).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per file (JSON Lines), in order; a file that fails gets {"source", "error"}.')
@click.option("--encoding", callback=_encoding_option, help=_ENCODING_HELP)
def classify(files: tuple[str, ...], title: str | None, lang: str | None, model_dir: str | None,
             rules: tuple[str, ...], as_json: bool, encoding: str | None) -> None:
    """Say which role each posting describes, with confidence and evidence.

    FILES are text or HTML postings, one per file; - reads standard input.
    For a table of postings (CSV, TSV, JSONL, Parquet) use `rolematch score`.

    Example:

        rolematch classify examples/posting_en.txt --title "Machine Learning Engineer"
    """
    from rolematch.api import RoleModel

    model = RoleModel.load(model_dir, rules)

    def one(name: str, text: str) -> None:
        res = model.classify(text, title=title, lang=lang, source=name)
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
        else:
            _print_result(name, res)

    _each_file(files, one, encoding, as_json)


# -- rules ----------------------------------------------------------------------------
@cli.group()
def rules() -> None:
    """Check and prepare pattern files.

    Example:

        rolematch rules check my_rules/
    """


@rules.command("check")
@click.argument("dirs", nargs=-1, type=click.Path())
def rules_check(dirs: tuple[str, ...]) -> None:
    """Validate rule files; report every problem as file:line with the reason.

    With no DIRS, checks the shipped rules. User rules are checked together
    with the shipped ones (ids must agree with the taxonomy).

    Example:

        rolematch rules check my_rules/
    """
    from rolematch.errors import RulesError
    from rolematch.lemmas import lemma_problems
    from rolematch.resources import rules_dir
    from rolematch.rules import Taxonomy, check_rule_files, slow_patterns

    paths: list[str | Path] = [rules_dir(), *dirs]  # a file reached twice is read once (rules.rule_files)
    loaded, problems = check_rule_files(paths, Taxonomy.load())
    problems += lemma_problems(loaded) + slow_patterns(loaded)  # every problem at once, of parsed patterns too
    if problems:
        raise RulesError(_in_file_order(problems))
    ids = {r.id for r in loaded}
    langs = {lg: sum(1 for r in loaded if r.applies_to(lg)) for lg in ("en", "fr")}
    both = sum(1 for r in loaded if r.applies_to("en") and r.applies_to("fr"))
    click.echo(f"OK: {len(loaded)} patterns, {len(ids)} ids (en: {langs['en']} patterns, fr: {langs['fr']}; "
               f"{both} apply to both, such as tool names) in {', '.join(map(str, paths))}")


@rules.command("compile")
def rules_compile() -> None:
    """Prepare what can be built ahead of time: lemma forms of the shipped rules and the tokenizers.

    Writes _lemma_forms.json in the shipped rules folder and, in the package's
    _prepared folder, tokenizer-*.bin and the tokenizers' compiled regexes for
    this Python (regex-*.bin); `rolematch rules compile` prints both paths. Run after
    editing the shipped rules or upgrading spaCy or Python; tests fail when
    they are stale.

    Example:

        rolematch rules compile
    """
    from rolematch.lemmas import CACHE_NAME, build_cache
    from rolematch.pipelines import prepare_tokenizers
    from rolematch.resources import rules_dir
    from rolematch.rules import load_rules

    counts = build_cache(load_rules(), rules_dir() / CACHE_NAME)
    click.echo(f"wrote {rules_dir() / CACHE_NAME}: " + ", ".join(f"{k}: {v} lemmas" for k, v in counts.items()))
    for path in prepare_tokenizers():
        click.echo(f"wrote {path}")


# -- train / evaluate -----------------------------------------------------------------
def _rows(n: int) -> str:
    return f"{n} row" + ("" if n == 1 else "s")


def _fmt(x: float | None) -> str:
    """A report figure to 3 decimals; ``n/a`` when the rows give none (``None``)."""
    return "n/a" if x is None else f"{x:.3f}"


def _print_report(rep: dict[str, Any]) -> None:
    if rep.get("per_class"):
        click.echo(f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for cls, m in rep["per_class"].items():
            click.echo(f"{cls:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10}")
        ci = rep.get("macro_f1_ci")
        ci_text = f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else ""
        click.echo(f"macro-F1 {rep['macro_f1']:.3f}{ci_text}   accuracy {rep['accuracy']:.3f}   "
                   f"ECE {_fmt(rep['ece'])}   in-scope flagged other {rep['in_scope_flagged_other']:.3f}")
    if rep.get("other_recall") is not None:
        click.echo(f"out of scope: {_rows(rep['n_other'])} labelled other, {rep['other_recall']:.3f} flagged other")
    for lang, sub in rep.get("by_language", {}).items():
        bits = [f"n={sub['n']}"] + [f"{k} {sub[k]:.3f}" for k in ("accuracy", "macro_f1", "other_recall")
                                    if sub.get(k) is not None]
        click.echo(f"  [{lang}] " + "  ".join(bits))
    conf = rep["confusion"]
    click.echo("confusion (rows: true, columns: predicted " + " / ".join(conf["labels"]) + "):")
    for lab, row in zip(conf["labels"], conf["matrix"]):
        click.echo(f"  {lab:<16}" + "".join(f"{v:>7}" for v in row))
    if rep.get("errors"):
        click.echo(f"{_rows(rep['errors'])} could not be scored (counted as other)")


@cli.command()
@click.argument("data", type=click.Path())
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(), help="Model directory to write.")
@click.option("--text-column", help="Column with the posting text (default: description, text, job_description...).")
@click.option("--label-column", default="label", show_default=True)
@click.option("--title-column", default=None, help="Column with titles (optional).")
@click.option("--eval", "eval_files", multiple=True, type=click.Path(),
              help="Labelled file(s) to evaluate on and record in the manifest under the path as given "
                   "(columns text/description, label).")
@click.option("-C", "c", type=float, default=None, callback=_positive_c,
              help="Inverse regularisation strength of the role model (a number above 0).")
@click.option("--market-prior/--training-prior", default=True, show_default=True,
              help="Re-weight probabilities to rolematch's market prior (few ML scientists, most postings in scope), "
                   "or keep the training data's class balance.")
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True),
              help="Extra rule folder or file (repeatable); the model records it and uses it wherever it is loaded.")
def train(data: str, out_dir: str, text_column: str | None, label_column: str, title_column: str | None,
          eval_files: tuple[str, ...], c: float | None, market_prior: bool, rules: tuple[str, ...]) -> None:
    """Train a model on labelled postings (CSV, TSV, JSONL, Parquet, or a folder of them).

    Labels: ml_engineer, ml_scientist, data_scientist, other.

    Example:

        rolematch train training_data -o my_model --title-column title
    """
    from rolematch.persist import check_model_dir
    from rolematch.train import read_labelled, train as train_model

    check_model_dir(out_dir)
    df = read_labelled(data, text_column, label_column, title_column)
    # keyed by the path as given (a/dev.csv, b/dev.csv); every labelled row counts, as in evaluate
    evals = {f: read_labelled(f, keep_unusable=True) for f in eval_files}
    from rolematch.model import MARKET_PRIOR

    params: dict[str, Any] = {"C": c} if c is not None else {}
    if rules:
        params["rules"] = rules
    if market_prior:
        params["class_prior"] = MARKET_PRIOR
    from rolematch.batch import sigint_latch

    # kill/timeout (SIGTERM) and a closed terminal clean up like Ctrl-C: no temporary file left
    with _stopping_exits(), sigint_latch():
        _, manifest = train_model(df, out_dir, params=params, eval_sets=evals)
    cv = manifest.get("cross_validation", {})
    click.echo(f"trained on {len(df)} postings; wrote {out_dir}")
    if cv:
        other = f", other flagged {_fmt(cv['other_recall'])}" if cv.get("other_recall") is not None else ""
        click.echo(f"cross-validation: macro-F1 {_fmt(cv.get('macro_f1'))}, accuracy {_fmt(cv.get('accuracy'))}, "
                   f"ECE {_fmt(cv.get('ece'))}{other}")
    for name, rep in manifest.get("evaluation", {}).items():
        parts = [f"macro-F1 {rep['macro_f1']:.3f}, accuracy {rep['accuracy']:.3f}"] if rep.get("n_in_scope") else []
        if rep.get("other_recall") is not None:
            parts.append(f"out of scope: {_rows(rep['n_other'])} labelled other, "
                         f"{rep['other_recall']:.3f} flagged other")
        if rep.get("errors"):
            parts.append(f"{_rows(rep['errors'])} could not be scored (counted as other)")
        click.echo(f"{name}: {'; '.join(parts) or 'no labelled rows'}")


@cli.command()
@click.argument("data", type=click.Path())
@click.option("--model", "model_dir", type=click.Path(), help="Model directory (default: the shipped model).")
@click.option("--text-column", help="Column with the posting text (default: description, text, job_description...).")
@click.option("--label-column", default="label", show_default=True)
@click.option("--title-column", default=None, help="Use this title column as a feature (off by default).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--predictions", "predictions_path", metavar="FILE",
              help="Also write every evaluated row with its prediction (.csv .tsv .jsonl .parquet), as score "
                   "writes it, after rolematch_file and rolematch_row: where it is in DATA.")
def evaluate(data: str, model_dir: str | None, text_column: str | None, label_column: str, title_column: str | None,
             as_json: bool, predictions_path: str | None) -> None:
    """Measure a model on labelled postings: per-class P/R/F1, macro-F1, calibration, per language.

    Rows labelled other count toward the out-of-scope figures only.

    Example:

        rolematch evaluate ../shared/eval/real_postings_dev.csv --text-column description --label-column label
    """
    from rolematch.api import RoleModel
    from rolematch.predictions import PredictionWriter
    from rolematch.train import predict_labelled, read_labelled, report

    _require_stdout()
    df = read_labelled(data, text_column, label_column, title_column, keep_unusable=True,
                       origin=predictions_path is not None)
    model = RoleModel.load(model_dir)
    results = predict_labelled(model, df, use_title=title_column is not None)
    if predictions_path is None:
        rep = report(df, results)
    else:
        with _stopping_exits():  # kill/timeout clean up like Ctrl-C: no temporary file left
            out = PredictionWriter(predictions_path, df, data)
            try:
                rep = report(df, out.tee(results))
                out.commit()
            except BaseException:
                out.abort()
                raise
        click.echo(f"{predictions_path}: {out.rows:,} row(s) with their predictions", err=True)
    if as_json:
        click.echo(json.dumps(rep, indent=2))
    else:
        _print_report(rep)


# -- score ----------------------------------------------------------------------------
@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", "output_path", required=True, help="Output file (.csv .tsv .jsonl .parquet) or - for stdout.")
@click.option("--text-column", help="Column with the posting text (default: description, text, job_description...).")
@click.option("--title-column", help="Column with titles, used as a feature.")
@click.option("--id-column", help="Column identifying rows, used to name error rows in the summary.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
@click.option("--chunk-size", type=click.IntRange(1, 100000), default=256, show_default=True, help="Rows per task.")
@click.option("--sep", help="CSV separator (default: detected).")
@click.option("--encoding", callback=_encoding_option,
              help="Input encoding (default: detected: UTF-8, UTF-8/16/32 with BOM, cp1252).")
@click.option("--lang", type=LANG, help="Force the language of every row.")
@click.option("--model", "model_dir", type=click.Path(), help="Model directory (default: the shipped model).")
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True), help="Extra rules directory (repeatable).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster.")
@click.option("--explain", is_flag=True,
              help="Add rolematch_evidence: the label's evidence (terms, rules, sentences, with offsets) as JSON. "
                   "About 2x slower.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def score(input_path: str, output_path: str, text_column: str | None, title_column: str | None, id_column: str | None,
          jobs: int | None, chunk_size: int, sep: str | None, encoding: str | None, lang: str | None,
          model_dir: str | None, rules: tuple[str, ...], engine: str, scheduler: str | None, explain: bool,
          quiet: bool) -> None:
    """Score a table of postings: every row kept, in order, rolematch_* columns added.

    INPUT and the output are CSV, TSV, JSONL or Parquet (by extension); - is
    CSV on stdin/stdout. The output is written to a temporary file and renamed
    at the end, so an interrupted run never leaves a half-written file. Rows
    that cannot be scored keep their place with rolematch_error filled; the
    exit code is 1 when no row could be scored (the output is still written).

    Example:

        rolematch score postings.csv -o scored.csv --title-column title -j 2
    """
    from rolematch.batch import score_file

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    with _stopping_exits():  # a second Ctrl-C (``timeout`` passes one on) must not break the clean-up
        summary = score_file(input_path, output_path, text_column=text_column, title_column=title_column,
                             id_column=id_column, jobs=jobs, chunk_size=chunk_size, sep=sep, encoding=encoding,
                             lang=lang, model_dir=model_dir, rules=rules, engine=engine, scheduler=scheduler,
                             progress=not quiet, explain=explain)
    if not quiet:
        click.echo(str(summary), err=True)
        for example in summary.examples:
            click.echo(f"  {input_path}, {example}", err=True)
        if summary.errors > len(summary.examples):
            click.echo(f"  ... and {summary.errors - len(summary.examples):,} more (see rolematch_error)", err=True)
    if summary.rows and summary.errors == summary.rows:  # written all the same: every row, with its error
        raise click.ClickException(f"no row of {input_path} could be scored; the reasons are in rolematch_error "
                                   f"of {summary.output}")


#: true when the console entry point (:func:`main`) runs the CLI: then a stopped run ends the process
_console = False


def _stopping_exits() -> Any:
    """:func:`rolematch.batch.exit_after_stop` at the console; nothing when the CLI runs inside a Python
    process (click's CliRunner, a notebook), which must get its signal handlers back after a stop."""
    from contextlib import nullcontext

    from rolematch.batch import exit_after_stop

    return exit_after_stop() if _console else nullcontext()


def main() -> None:
    """Console entry point: run the CLI, then leave without tearing the interpreter down.

    Freeing spaCy's vocabularies, matchers and a thousand modules one by one at
    exit takes about 0.3 s, a fifth of a one-posting ``rolematch classify``.
    Once output is flushed nothing is left to do, so the process exits at once
    (unless child processes or other threads are still running: then normally; after Ctrl-C or a
    signal it terminates its worker processes and exits at once).
    """
    global _console
    _console = True
    code: int = 0
    try:
        cli.main(prog_name="rolematch")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            click.echo(exc.code, err=True)
            code = 1
    except KeyboardInterrupt:  # Ctrl-C outside a command (while click parses or wraps up)
        click.echo("Interrupted.", err=True)
        code = 130
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when the caller closed it (cron, a daemon)
                stream.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    except KeyboardInterrupt:
        code = 130
    import multiprocessing
    import threading

    stopped = code in (129, 130, 143)  # a signal stopped the run: waiting for its worker threads could hang
    if stopped:  # and the workers go too: one blocked writing a result nobody reads would live on, orphaned
        for child in multiprocessing.active_children():
            child.terminate()
    if stopped or (threading.active_count() == 1 and not multiprocessing.active_children()):
        _remove_multiprocessing_tempdir()
        os._exit(code)
    sys.exit(code)


def _remove_multiprocessing_tempdir() -> None:
    """Remove the ``pymp-*`` folder (the forkserver's socket) that multiprocessing removes at a normal exit."""
    process = sys.modules.get("multiprocessing.process")
    tempdir = getattr(process.current_process(), "_config", {}).get("tempdir") if process else None
    if tempdir:
        import shutil

        shutil.rmtree(tempdir, ignore_errors=True)
