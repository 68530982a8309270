"""One place for rolematch's exceptions and their messages.

The library raises these; the CLI turns them into one-line errors and an
exit code. Nothing in the library prints or exits.
"""

from __future__ import annotations


def caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside rolematch.

    Called as ``warnings.warn(msg, stacklevel=caller_stacklevel())``: whichever public function led
    to the warning (``load_model``, ``classify``, ``RoleModel.load``...), it names the user's line.
    """
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)  # the function that warns: stacklevel 1
    level = 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back
        level += 1
    return level


class Terminated(KeyboardInterrupt):
    """A run stopped by a signal (SIGTERM from ``kill``/``timeout``, SIGHUP): cleaned up like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"terminated by signal {signum}")


class RolematchError(Exception):
    """Base class of every error rolematch raises on purpose."""


class InputError(RolematchError):
    """Input that cannot be read or used: missing, binary, empty, undecodable..."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        self.message = message  #: the message without its source
        super().__init__(f"{source}: {message}" if source else message)


class UnsupportedLanguageError(InputError):
    """The text is not English or French."""


class RulesError(RolematchError):
    """Invalid pattern files. ``problems`` holds one "file:line: reason" per error."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        head = f"{len(problems)} problem(s) in rule files"
        super().__init__(head + ":\n" + "\n".join(self.problems))


class ModelError(RolematchError):
    """A model that cannot be loaded, trusted or written (missing manifest, sha256 or version mismatch, bad output path)."""


class TrainingError(RolematchError):
    """Training or evaluation data that cannot be used."""


def check_batch_size(batch_size: object) -> None:
    """Refuse a ``batch_size`` that is not a whole number of at least 1 (0 would read nothing)."""
    import numbers

    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")


def check_postings(name: str, given: object, one: str) -> None:
    """Refuse what would be iterated wrongly as a collection of postings (or of ``titles``).

    One string would be read one character at a time, a DataFrame one column *name* at a time, and
    ``None`` or a number would fail only once the lazy results are read. ``one`` names the method
    for a single posting.
    """
    what = "titles (one per text)" if name == "titles" else "postings"
    if isinstance(given, (str, bytes)):
        hint = "" if name == "titles" else f"; for one posting use {one}()"
        raise InputError(f"{name} must be a collection of {what}, not one string{hint}")
    if isinstance(given, dict) or (hasattr(given, "keys") and hasattr(given, "values") and not hasattr(given, "iloc")):
        raise InputError(f"{name} is a mapping (iterating it gives its keys); pass its values, e.g. list(d.values())")
    if hasattr(given, "columns") and hasattr(given, "iloc"):
        raise InputError(f"{name} is a DataFrame (iterating it gives its column names); pass one column, "
                         f"e.g. df['description'], or use score_frame() to add result columns to the frame")
    if name != "titles" or given is not None:
        try:
            iter(given)  # type: ignore[call-overload]
        except TypeError:
            raise InputError(f"{name} must be a collection of {what} (a list, a Series, a generator...), "
                             f"got {type(given).__name__}") from None
