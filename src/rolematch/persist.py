"""Save and load models with a JSON manifest that is checked *before* unpickling.

A joblib file can execute code when loaded, so rolematch only loads a model
file whose sha256 matches its manifest, written by a compatible scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any, NoReturn, Union

from rolematch import __version__  # noqa: I001
from rolematch.errors import ModelError, caller_stacklevel
from rolematch.files import new_file_mode

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
#: 1: written by ``joblib.dump`` (numpy arrays in joblib's own framing, needs joblib to load).
#: 2: a zlib-compressed standard pickle, which ``joblib.load`` also reads; rolematch loads it
#:    with ``zlib`` + ``pickle`` and so never imports joblib (0.1 s and 14 MiB per process).
#: 3: a standard pickle, uncompressed: the scorer packs its arrays itself (non-zero weight rows,
#:    an idf code book), so the file is small enough and loads in a few ms instead of ~40 ms
#:    spent in ``zlib.decompress``.
FORMAT = 3
READABLE_FORMATS = (1, 2, 3)
PathLike = Union[str, Path]


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def _versions() -> dict[str, str]:
    return {"rolematch": __version__, "scikit-learn": _version("scikit-learn"), "numpy": _version("numpy"),
            "scipy": _version("scipy"), "spacy": _version("spacy")}


def _temp_copy(path: Path, data: bytes) -> Path:
    """``data`` written to a new temporary file beside ``path`` (removed again if writing fails)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, new_file_mode())  # mkstemp makes it 0600
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _replace_together(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each (temporary, final) pair into place, all or none.

    A model and its manifest must change together: a new model file beside the old manifest
    would be refused as tampered. Interrupting signals wait until the renames are done, and a
    rename that fails puts the files it already replaced back (from hard links or renamed copies).
    The caller removes the temporary files that are left when it fails.
    """
    blocked = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if blocked:
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    saved: list[tuple[Path, Path | None]] = []  # (final, its previous content's backup or None if it was new)
    try:
        for tmp, final in pairs:
            backup: Path | None = None
            if final.exists():
                backup = final.with_name(final.name + ".previous")
                backup.unlink(missing_ok=True)
                try:
                    os.link(final, backup)
                except OSError:  # no hard links here: set the old file aside instead
                    os.replace(final, backup)
            saved.append((final, backup))
            os.replace(tmp, final)
    except BaseException:
        for final, backup in reversed(saved):
            if backup is not None and backup.exists():
                os.replace(backup, final)
                backup.unlink(missing_ok=True)  # still there when ``final`` was never replaced (the same file)
            elif backup is None:
                final.unlink(missing_ok=True)
        raise
    else:  # every file in place: the backups go, still before a held-back signal is delivered
        for _, backup in saved:
            if backup is not None:
                try:
                    backup.unlink(missing_ok=True)
                except OSError:
                    pass
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def is_model_manifest(path: PathLike) -> bool:
    """Whether ``path`` is a rolematch model manifest (a JSON object naming its model file, sha256 and versions)."""
    p = Path(path)
    try:
        if p.stat().st_size > 10_000_000:
            return False
        data = json.loads(p.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"file", "sha256", "versions"} <= data.keys()


def check_model_dir(directory: PathLike) -> None:
    """Raise :class:`ModelError` unless a model can be written to ``directory`` (an existing folder or a new one).

    Cheap: call it before training, so that a bad output path is found in a
    second rather than after the fit.
    """
    if not str(directory).strip():
        raise ModelError("the model directory name is empty; name a directory (e.g. -o my_model)")
    d = Path(directory)
    if d.is_symlink() and not d.exists():
        raise ModelError(f"{d}: a symbolic link to {os.readlink(d)}, which does not exist; create that folder or "
                         "choose another model directory")
    if d.exists() and not d.is_dir():
        raise ModelError(f"{d}: exists and is not a directory; choose another model directory")
    for name in (MODEL_FILE, MANIFEST_FILE):
        if (d / name).is_dir():
            raise ModelError(f"{d / name}: is a directory; move it away or choose another model directory")
    if ((d / MANIFEST_FILE).exists() or (d / MODEL_FILE).exists()) and not is_model_manifest(d / MANIFEST_FILE):
        # a file of the user's (data named manifest.json, another tool's model.joblib): never written over
        if (d / MANIFEST_FILE).exists():
            what = f"{d / MANIFEST_FILE}: not a rolematch model manifest (unreadable, or without file/sha256/versions)"
        else:
            what = f"{d / MODEL_FILE}: no rolematch manifest beside it"
        raise ModelError(f"{what}, and a model would be written over it; if it is a damaged rolematch model, delete "
                         f"{MODEL_FILE} and {MANIFEST_FILE} there; else choose another model directory")
    existing = d
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ModelError(f"{d}: cannot create it: {existing} is a file, not a directory; "
                         "choose another model directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ModelError(f"{d}: cannot write there ({existing} is not writable); choose another model directory")


def save_model(estimator: Any, directory: PathLike, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``model.joblib`` and ``manifest.json`` into ``directory``; return the manifest."""
    import pickle

    d = Path(directory)
    check_model_dir(d)
    scorer = estimator.to_scorer() if hasattr(estimator, "to_scorer") else estimator
    data = pickle.dumps(scorer, protocol=pickle.HIGHEST_PROTOCOL)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "file": MODEL_FILE,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
        "versions": _versions(),
        "labels": [str(c) for c in getattr(estimator, "classes_", [])],
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in estimator.get_params().items()},
        "class": f"{type(scorer).__module__}.{type(scorer).__name__}",
    }
    manifest.update(extra or {})
    text = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    temps: list[Path] = []
    try:
        d.mkdir(parents=True, exist_ok=True)
        temps.append(_temp_copy(d / MODEL_FILE, data))
        temps.append(_temp_copy(d / MANIFEST_FILE, text))
        # both files change at once: an earlier model in ``d`` stays whole and loadable if this fails
        _replace_together([(temps[0], d / MODEL_FILE), (temps[1], d / MANIFEST_FILE)])
    except OSError as exc:
        raise ModelError(f"{d}: cannot write the model: {exc.strerror or exc}") from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return manifest


def read_manifest(directory: PathLike) -> dict[str, Any]:
    """The manifest of a model directory, or :class:`ModelError`."""
    d = Path(directory)
    if not d.is_dir():
        raise ModelError(f"{d}: not a model directory (expected {MANIFEST_FILE} and {MODEL_FILE} inside)")
    path = d / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: missing manifest; refusing to load a model without one") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or not {"sha256", "file", "versions"} <= set(manifest):
        raise ModelError(f"{path}: manifest lacks sha256/file/versions")
    for key, kind in (("sha256", str), ("file", str), ("versions", dict)):
        if not isinstance(manifest[key], kind):
            raise ModelError(f"{path}: manifest's {key!r} is {type(manifest[key]).__name__}, expected "
                             f"{'a string' if kind is str else 'an object'}; restore the manifest or retrain")
    return manifest


def verify_model(directory: PathLike) -> dict[str, Any]:
    """Check the manifest against the model file and the installed libraries (no unpickling)."""
    return _verified(directory)[0]


def _verified(directory: PathLike) -> tuple[dict[str, Any], bytes]:
    """The manifest and the model file's bytes, once they are checked against each other.

    The bytes that were hashed are the bytes that get unpickled: one read, and no
    window in which the file could change between the check and the load.
    """
    d = Path(directory)
    manifest = read_manifest(d)
    if Path(manifest["file"]).name != manifest["file"]:
        raise ModelError(f"{d / MANIFEST_FILE}: 'file' must be a file name inside the model directory")
    model_path = d / manifest["file"]
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file missing")
    data = model_path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != manifest["sha256"]:
        raise ModelError(f"{model_path}: sha256 {digest} does not match the manifest's "
                         f"{str(manifest['sha256'])[:64]!r}; refusing to load a tampered or foreign file")
    built, installed = manifest["versions"].get("scikit-learn"), _version("scikit-learn")
    if not isinstance(built, str):
        raise ModelError(f"{d / MANIFEST_FILE}: 'versions' does not name the scikit-learn the model was trained "
                         "with; restore the manifest or retrain with `rolematch train`")
    if built != installed:
        raise ModelError(f"{model_path}: trained with scikit-learn {built}, installed {installed}; "
                         "retrain with `rolematch train` or install the matching scikit-learn")
    if "size_bytes" in manifest and manifest["size_bytes"] != len(data):
        _disagrees(d, "size_bytes", manifest["size_bytes"], len(data))
    rm = manifest["versions"].get("rolematch")
    if rm != __version__:
        warnings.warn(f"{model_path}: trained with rolematch {rm}, running {__version__}; "
                      "results may differ, retrain with `rolematch train`", stacklevel=caller_stacklevel())
    return manifest, data


def load_model(directory: PathLike) -> tuple[Any, dict[str, Any]]:
    """Verify, then unpickle. Returns ``(estimator, manifest)``."""
    manifest, data = _verified(directory)
    fmt = manifest.get("format", 1)
    if isinstance(fmt, bool) or fmt not in READABLE_FORMATS:  # True == 1 in Python: not a format number
        raise ModelError(f"{directory}: model format {fmt!r} is not one this rolematch {__version__} reads "
                         f"({', '.join(map(str, READABLE_FORMATS))}); upgrade rolematch or retrain with "
                         "`rolematch train`")
    try:
        if fmt in (2, 3):
            import pickle
            import zlib

            est = pickle.loads(zlib.decompress(data) if fmt == 2 else data)
        else:
            import io

            import joblib

            est = joblib.load(io.BytesIO(data))
    except Exception as exc:  # a verified file that still fails to load
        raise ModelError(f"{directory}: cannot load model: {exc}") from None
    _check_described(Path(directory), manifest, est)
    return est, manifest


def _disagrees(d: Path, key: str, said: Any, found: Any) -> NoReturn:
    raise ModelError(f"{d / MANIFEST_FILE}: the manifest's {key!r} ({said!r}) does not describe the model file "
                     f"({found!r}); restore the manifest or retrain with `rolematch train`")


def _check_described(d: Path, manifest: dict[str, Any], est: Any) -> None:
    """Refuse a manifest whose description of the model (class, labels, temperatures) is not the model's.

    The sha256 ties the file to the manifest; these make tooling that reads the manifest (labels,
    calibration) see what the model does.
    """
    cls = f"{type(est).__module__}.{type(est).__name__}"
    if "class" in manifest and manifest["class"] != cls:
        _disagrees(d, "class", manifest["class"], cls)
    if "labels" in manifest and hasattr(est, "classes_"):
        labels = [str(c) for c in est.classes_]
        if manifest["labels"] != labels:
            _disagrees(d, "labels", manifest["labels"], labels)
    for key in ("temperature", "fusion_temperature"):
        found = getattr(est, key + "_", None)
        if key in manifest and found is not None and manifest[key] != found:
            _disagrees(d, key, manifest[key], float(found))
