"""Batch scoring: stream a table in, score it in parallel, stream it out atomically.

Every input row comes out exactly once, in input order, with its columns
untouched and the ``rolematch_*`` columns added. Rows that cannot be scored
keep their place with ``rolematch_error`` filled and an empty label.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
import warnings
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from rolematch.batch_io import Record, Source, Writer, open_source, require_pyarrow
from rolematch.errors import InputError, Terminated
from rolematch.table import find_text_column, format_of, output_columns, result_row


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# -- the work one worker does ------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(model_dir: str | None, rules: tuple[str, ...]) -> None:
    """Process-pool initializer: load (and verify) the model once per worker.

    Workers ignore Ctrl-C: the parent stops the run (and a worker interrupted
    while it starts would print a traceback).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")  # the parent has checked the model and shown its warnings once
    from rolematch.startup import defer_spacy_cli

    defer_spacy_cli()  # workers never run spaCy's CLI: smaller and quicker to start
    from rolematch.api import RoleModel

    _WORKER["model"] = RoleModel.load(model_dir, rules)


def score_rows(texts: list[Any], titles: list[Any] | None, lang: str | None = None,
               model: Any = None, explain: bool = False) -> list[dict[str, Any]]:
    """``rolematch_*`` values for a chunk of texts (runs in a worker, or in-process); ``explain``: with evidence."""
    m = model if model is not None else _WORKER.get("model")
    if m is None:
        from rolematch.api import load_model

        m = load_model()
    out = [result_row(res, explain)
           for res in m.classify_many(texts, titles, lang=lang, batch_size=PIPE_BATCH, explain=explain)]
    if model is None:
        _release_free_memory()
    return out


#: Postings tokenized together in a worker: small batches keep the working set (docs, feature matrices) small.
PIPE_BATCH = 16


def _release_free_memory() -> None:
    """Hand freed heap memory back to the OS (glibc only; a no-op elsewhere).

    A chunk's docs and feature matrices are freed after scoring, but glibc keeps
    the pages, so a worker's RSS would stay at its largest chunk's high-water mark.
    """
    if "malloc_trim" not in _WORKER:
        trim: Any = None
        try:
            import ctypes

            trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            pass
        _WORKER["malloc_trim"] = trim
    trim = _WORKER["malloc_trim"]
    if trim is not None:
        trim(0)


def dask_score_rows(texts: list[Any], titles: list[Any] | None, lang: str | None, model_dir: str | None,
                    rules: tuple[str, ...], explain: bool = False) -> list[dict[str, Any]]:
    """The Dask task: load the model once per worker process (cached), then score."""
    from rolematch.api import load_model

    with warnings.catch_warnings():  # the parent has checked the model and the rules and shown their warnings once
        warnings.simplefilter("ignore")
        model = load_model(model_dir, rules)
    return score_rows(texts, titles, lang, model=model, explain=explain)


# -- orchestration ------------------------------------------------------------------------
@dataclass
class Summary:
    """What a scoring run did."""

    rows: int
    errors: int
    seconds: float
    output: str
    examples: tuple[str, ...] = ()  # the first few error rows, named by line (and id)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        errors = f"{self.errors:,} error" + ("" if self.errors == 1 else "s")
        return (f"scored {self.rows:,} rows ({errors}) in {self.seconds:.1f} s, "
                f"{self.rate:,.0f} rows/s -> {self.output}")


Submit = Callable[[list[Any], list[Any] | None], "Future[list[dict[str, Any]]] | list[dict[str, Any]]"]


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while True:
        chunk = list(islice(records, size))
        if not chunk:
            return
        yield chunk


def _merge(chunk: list[Record], scored: list[dict[str, Any]], todo: list[int], columns: Sequence[str]
           ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    it = iter(scored)
    todo_set = set(todo)
    for i, rec in enumerate(chunk):
        row = dict(rec.values)
        if i in todo_set:
            row.update(next(it))
        else:
            row.update(dict.fromkeys(columns))
            row["rolematch_error"] = rec.error
        rows.append(row)
    return rows


@contextmanager
def sigint_latch() -> Iterator[Callable[[], None]]:
    """Remember Ctrl-C even where it is swallowed; the yielded ``check()`` raises it again.

    A KeyboardInterrupt raised while Cython code runs a Python callback (spaCy's
    lexeme attribute getters, for one) is printed as "Exception ignored" and
    dropped, and the run would go on to the end. Only installed over Python's
    default handler, in the main thread; the old handler is put back after.
    Meanwhile such a dropped interrupt is not printed (it is not lost: the
    next ``check()`` raises it). SIGTERM and SIGHUP (``kill``, ``timeout``, a
    closed terminal), when they would kill the process outright, raise
    :class:`~rolematch.errors.Terminated` instead, so the run cleans up as for
    Ctrl-C (no temporary file is left behind).
    """
    hit: KeyboardInterrupt | None = None

    def check() -> None:
        if hit is not None:
            raise hit

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def handler(signum: int, frame: Any) -> None:
        nonlocal hit
        if hit is not None:  # a second signal (``timeout`` passes Ctrl-C on to the group; a double Ctrl-C):
            return           # the run is already stopping, and must not be stopped in its clean-up
        hit = KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)
        raise hit

    def unraisable(info: Any) -> None:
        if not (hit is not None and isinstance(info.exc_value, KeyboardInterrupt)):
            old_hook(info)

    # each signal only where it has its default action (an ignored SIGINT, as in a script's background
    # job, stays ignored; SIGTERM and SIGHUP are still caught there)
    caught = [s for s, default in ((signal.SIGINT, signal.default_int_handler),
                                   (getattr(signal, "SIGTERM", None), signal.SIG_DFL),
                                   (getattr(signal, "SIGHUP", None), signal.SIG_DFL))
              if s is not None and signal.getsignal(s) is default]
    before = [(s, signal.signal(s, handler)) for s in caught]
    old_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield check
    except Exception:
        if hit is not None:  # the signal broke something on its way (a worker pool): report the signal
            raise hit from None
        raise
    finally:
        for s, h in before:  # once stopped, a command-line run is on its way out: later signals are ignored
            signal.signal(s, signal.SIG_IGN if hit is not None and _exit_after_stop else h)
        sys.unraisablehook = old_hook


#: true while a command-line run is inside :func:`exit_after_stop`: a stopped run ends the process, so
#: signals that follow the first are ignored to the exit (in a library call the caller's handlers come back)
_exit_after_stop = False


@contextmanager
def exit_after_stop() -> Iterator[None]:
    """Run the block as a command-line run would: see :data:`_exit_after_stop`."""
    global _exit_after_stop
    before, _exit_after_stop = _exit_after_stop, True
    try:
        yield
    finally:
        _exit_after_stop = before


def _run(source: Source, writer: Writer, submit: Submit, text_col: str, title_col: str | None,
         chunk_size: int, window: int, progress: Any, id_col: str | None = None,
         examples: list[str] | None = None, check: Callable[[], None] = lambda: None) -> tuple[int, int]:
    """Feed chunks to ``submit`` (at most ``window`` in flight), write results in order.

    ``check()`` runs after each chunk is submitted and after each is written; it may raise
    (see :func:`sigint_latch`).
    """
    pending: deque[tuple[list[Record], list[int], Any, int]] = deque()
    rows = errors = 0

    def drain_one() -> None:
        nonlocal rows, errors
        chunk, todo, fut, read_to = pending.popleft()
        scored = fut.result() if hasattr(fut, "result") else fut  # a pool or Dask future, or in-process rows
        out = _merge(chunk, scored, todo, writer.output_columns)
        writer.write(out)
        rows += len(out)
        for rec, r in zip(chunk, out):
            if r.get("rolematch_error"):
                errors += 1
                if examples is not None and len(examples) < 5:
                    msg = str(r["rolematch_error"])
                    who = "" if msg.startswith("line ") else f"{source.unit} {rec.line}: "
                    value = rec.values.get(id_col) if id_col else None  # None: no such key, or a JSON null
                    ident = f"{id_col}={value}: " if id_col and value is not None and value != "" else ""
                    examples.append(f"{ident}{who}{msg}")
        if progress is not None:
            progress(rows, errors, read_to)  # the input read up to this chunk, not the chunks still in flight
        check()

    for chunk in _chunks(source.records, chunk_size):
        todo = [i for i, r in enumerate(chunk) if r.error is None]
        texts = [chunk[i].values.get(text_col) for i in todo]
        titles = [chunk[i].values.get(title_col) for i in todo] if title_col else None
        pending.append((chunk, todo, submit(texts, titles) if todo else [], source.position()))
        check()
        while len(pending) >= window:
            drain_one()
    while pending:
        drain_one()
    return rows, errors


class _Progress:
    """tqdm bar on stderr (bytes or rows of the input) with rows and rows/s; only on a terminal."""

    def __init__(self, source: Source, enabled: bool) -> None:
        self.bar = None
        self.source = source
        self.start = time.perf_counter()
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            is_rows = source.schema is not None
            self.bar = tqdm(total=source.size, unit="row" if is_rows else "B", unit_scale=not is_rows,
                            file=sys.stderr, dynamic_ncols=True, desc="scoring")

    def __call__(self, rows: int, errors: int, pos: int | None = None) -> None:
        """Show ``rows`` written; the bar is at ``pos`` (bytes or rows of input read for them; default: all read)."""
        if self.bar is None:
            return
        pos = self.source.position() if pos is None else pos
        self.bar.update(max(0, pos - self.bar.n))
        rate = rows / max(time.perf_counter() - self.start, 1e-9)
        self.bar.set_postfix_str(f"{rows:,} rows, {errors:,} errors, {rate:,.0f} rows/s", refresh=False)

    def close(self, done: bool = False) -> None:
        """Close the bar; at 100 % when the run is ``done`` (the reader's position can stop short of the end)."""
        if self.bar is not None:
            if done and self.bar.total:
                self.bar.update(max(0, self.bar.total - self.bar.n))
            self.bar.close()


#: the resource tracker (started with the pool) reads its warning filters from our ``sys.warnoptions``
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    """Keep a stopped run's stderr to its one line.

    A run stopped by a signal exits at once (:func:`rolematch.cli.main`); the resource tracker then
    unlinks the pool's semaphores itself, as it should, but warns about "leaked semaphore objects"
    a second later, after the shell prompt. The clean-up stays; the warning goes.
    """
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)


def _refuse_overwriting_input(input_path: str, output_path: str) -> None:
    """An output that is the input file (by name, symlink or hard link, or through a shell redirection of
    ``-``: ``score - -o in.csv < in.csv``, ``score in.csv -o - >> in.csv``, ``score - -o - < in.csv >> in.csv``)
    would replace or grow the user's only copy (the last one read its own output until the disk was full)."""
    try:
        a = os.fstat(0) if input_path == "-" else os.stat(input_path)
        b = os.fstat(1) if output_path == "-" else os.stat(output_path)
    except (OSError, ValueError):  # one of them does not exist (yet), or no stdio: reading or writing reports that
        return
    same = os.path.samestat(a, b) and stat.S_ISREG(a.st_mode)  # a terminal or a pipe on both sides is no file
    if same:
        raise InputError("output is the input file; name another output file (rolematch never overwrites its input)",
                         output_path)


def score_file(input_path: str, output_path: str, *, text_column: str | None = None, title_column: str | None = None,
               id_column: str | None = None, jobs: int | None = None, chunk_size: int = 256,
               sep: str | None = None, encoding: str | None = None, lang: str | None = None,
               model_dir: str | None = None, rules: Sequence[str] = (), engine: str = "local",
               scheduler: str | None = None, progress: bool = True, explain: bool = False) -> Summary:
    """Score ``input_path`` into ``output_path`` (CSV/TSV/JSONL/Parquet by extension, ``-`` = CSV on stdio).

    Ctrl-C stops the run (see :func:`sigint_latch`); the output is then left as it was.
    """
    with sigint_latch() as check:
        start = time.perf_counter()
        _refuse_overwriting_input(input_path, output_path)
        source = open_source(input_path, sep=sep, encoding=encoding, chunk_size=chunk_size)
        text_col = find_text_column(source.columns, text_column, input_path)
        for name, col in (("--title-column", title_column), ("--id-column", id_column)):
            if col is not None and col not in source.columns:
                raise InputError(f"{name}: no column {col!r}; columns are: {', '.join(map(str, source.columns))}",
                                 input_path)
        clash = [c for c in output_columns(True) if c in source.columns]
        if clash:
            raise InputError(f"input already has column(s) {', '.join(clash)} (already scored?)", input_path)
        jobs = max(1, jobs or default_jobs())
        # absolute paths: Dask workers (and their working directories) may be elsewhere
        rules_t = tuple(str(Path(r).resolve()) for r in rules)
        from rolematch.persist import verify_model
        from rolematch.resources import default_model_dir

        model_path = model_dir if model_dir is not None else default_model_dir()
        manifest = verify_model(model_path)  # fail fast, warn once; messages name the folder as given
        model_dir = str(Path(model_dir).resolve()) if model_dir is not None else None
        from rolematch.rules import check_model_rules

        # the user's rules and the model's own, checked here: a bad one would otherwise fail every worker as it starts
        all_rules = (*check_model_rules(model_path, manifest), *rules)  # --rules as given: messages name them so
        if all_rules:
            from rolematch.rules import load_rules

            load_rules(all_rules)
        if output_path != "-" and Path(output_path).is_dir():  # before its type: "/tmp" has no extension either
            raise InputError("output is a directory; name a file", output_path)
        if format_of(output_path) == "parquet":
            require_pyarrow("writing Parquet", output_path)
        writer = Writer(output_path, source.columns, source.schema, explain=explain)
        bar = _Progress(source, progress)
        executor: Any = None
        client: Any = None
        done = False
        try:
            if engine == "dask":
                client = _dask_client(scheduler, jobs, model_dir, rules_t)

                def submit(texts: list[Any], titles: list[Any] | None) -> Any:
                    return client.submit(dask_score_rows, texts, titles, lang, model_dir, rules_t, explain, pure=False)

                window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or jobs)
            elif jobs == 1:
                import warnings

                from rolematch.api import RoleModel

                with warnings.catch_warnings():  # the checks above have said it once
                    warnings.simplefilter("ignore")
                    model = RoleModel.load(model_dir, rules_t)

                def submit(texts: list[Any], titles: list[Any] | None) -> Any:
                    return score_rows(texts, titles, lang, model=model, explain=explain)

                window = 1
            else:
                import multiprocessing as mp

                _quiet_resource_tracker()
                ctx = mp.get_context("forkserver" if sys.platform != "win32" else "spawn")
                executor = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                               initargs=(model_dir, rules_t))

                def submit(texts: list[Any], titles: list[Any] | None) -> Any:
                    return executor.submit(score_rows, texts, titles, lang, None, explain)

                window = 3 * jobs
            examples: list[str] = []
            check()  # an interrupt swallowed while the model or the workers started
            rows, errors = _run(source, writer, submit, text_col, title_column, chunk_size, window, bar,
                                id_column, examples, check)
            writer.commit()
            done = True
        except BaseException:
            writer.abort()
            raise
        finally:
            bar.close(done)
            if executor is not None:  # after a clean run, wait for the idle workers: exiting while the pool
                executor.shutdown(wait=done, cancel_futures=True)  # winds down can print a traceback
            if client is not None:
                _close_dask(client)
        return Summary(rows, errors, time.perf_counter() - start, output_path, tuple(examples))


#: How long ``score --scheduler`` waits for a first worker to join a scheduler that has none.
DASK_WORKER_WAIT = 30.0


def _dask_client(scheduler: str | None, jobs: int, model_dir: str | None = None,
                 rules: tuple[str, ...] = ()) -> Any:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("the dask engine needs dask.distributed: pip install 'rolematch[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=20)
        except Exception as exc:  # a typo, a closed port, a service that is not a Dask scheduler
            raise InputError(f"--scheduler: cannot connect to a Dask scheduler at {scheduler!r} "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
        try:
            _check_dask_workers(client, scheduler, model_dir, rules)
        except BaseException:
            client.close()
            raise
        return client
    # ":0": the scheduler's HTTP server on a free port (with None it still tries 8787, and a second run at the
    # same time warns "Port 8787 is already in use")
    # the workers are started ignoring Ctrl-C and a closed terminal (the signals reach the whole process group):
    # the main process stops the run and closes the cluster, as with the local engine, instead of every worker
    # printing its traceback (helper 125); silence_logs: their warnings as the cluster closes, too
    import logging

    handled = [s for s in (signal.SIGINT, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = [signal.signal(s, signal.SIG_IGN) for s in handled]
    try:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)
    finally:
        for s, h in zip(handled, previous):
            signal.signal(s, h)
    client = Client(cluster)
    client._rolematch_cluster = cluster  # type: ignore[attr-defined]
    return client


def _check_dask_workers(client: Any, scheduler: str, model_dir: str | None, rules: tuple[str, ...]) -> None:
    """Refuse a cluster whose tasks could never run: no worker, or workers without this rolematch or its files.

    Without this check the run waits for ever: tasks queue with no worker, or fail
    to unpickle on a worker that cannot import rolematch.
    """
    from rolematch import __version__

    if not client.scheduler_info().get("workers"):
        try:
            client.wait_for_workers(1, timeout=DASK_WORKER_WAIT)
        except Exception:  # dask raises TimeoutError (of its own, or asyncio's)
            raise InputError(f"--scheduler: no Dask worker joined {scheduler} in {DASK_WORKER_WAIT:.0f} s; "
                             "start workers (dask worker <address>) with rolematch installed") from None

    def probe(paths: list[str]) -> str:  # runs on each worker; nested, so cloudpickle sends it by value
        import os as os_

        try:
            import rolematch as rm
        except Exception as exc:
            return f"cannot import rolematch ({type(exc).__name__}: {exc})"
        missing = [p for p in paths if not os_.path.exists(p)]  # --rules may name a .jsonl file
        return f"version {rm.__version__}" + (f"; no {missing[0]}" if missing else "")

    paths = [os.path.abspath(p) for p in ((model_dir,) if model_dir else ()) + rules]
    found = client.run(probe, paths, on_error="return")
    for worker, got in sorted(found.items()):
        if isinstance(got, BaseException):
            got = f"{type(got).__name__}: {got}"
        if got != f"version {__version__}":
            raise InputError(f"--scheduler: Dask worker {worker}: {got}; every worker needs rolematch {__version__} "
                             "(pip install the same version) and the --model/--rules paths")


def _close_dask(client: Any) -> None:
    cluster = getattr(client, "_rolematch_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
