"""Reading whole tables (training/evaluation data) and the ``rolematch_*`` output columns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence, Union

from rolematch.errors import InputError
from rolematch.results import RoleResult

if TYPE_CHECKING:
    import pandas as pd

PathLike = Union[str, Path]

OUTPUT_COLUMNS = (
    "rolematch_label", "rolematch_confidence", "rolematch_p_ml_engineer", "rolematch_p_ml_scientist",
    "rolematch_p_data_scientist", "rolematch_p_other", "rolematch_in_scope", "rolematch_language", "rolematch_skills",
    "rolematch_error",
)
#: The column ``score --explain`` adds after them: the evidence for the label.
EVIDENCE_COLUMN = "rolematch_evidence"
#: pandas dtypes of the ``rolematch_*`` columns in :meth:`rolematch.api.RoleModel.score_frame` (missing values
#: are NaN in the float columns, ``pd.NA`` in ``rolematch_in_scope``, ``None`` in the others), whatever the rows
FRAME_DTYPES = {"rolematch_confidence": "float64", "rolematch_p_ml_engineer": "float64",
                "rolematch_p_ml_scientist": "float64", "rolematch_p_data_scientist": "float64",
                "rolematch_p_other": "float64", "rolematch_in_scope": "boolean"}


def output_columns(explain: bool = False) -> tuple[str, ...]:
    """The ``rolematch_*`` columns a scored table gets."""
    return (*OUTPUT_COLUMNS, EVIDENCE_COLUMN) if explain else OUTPUT_COLUMNS


def format_of(path: PathLike) -> str:
    """``csv``, ``tsv``, ``jsonl`` or ``parquet`` from the file name."""
    name = str(path).lower()
    for ext, fmt in ((".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                     (".json", "jsonl"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(ext) or (name.endswith(ext + ".gz") and fmt != "parquet"):  # Parquet compresses itself
            return fmt
    if name == "-":
        return "csv"
    raise InputError("unknown file type (use .csv, .tsv, .jsonl, .json or .parquet; .csv.gz, .tsv.gz, .jsonl.gz "
                     "or .json.gz for gzip)", str(path))


def table_files(folder: PathLike) -> list[Path]:
    """The tables in ``folder`` (any file :func:`format_of` knows, any case), by name.

    Sub-folders and hidden files (``.name``) are skipped; so are files of other types, and a rolematch model's
    ``manifest.json`` (a model trained into its data folder).
    """
    from rolematch.persist import MANIFEST_FILE, is_model_manifest

    out = []
    for f in sorted(Path(folder).iterdir()):
        if f.name.startswith(".") or not f.is_file():
            continue
        if f.name == MANIFEST_FILE and is_model_manifest(f):
            continue
        try:
            format_of(f)
        except InputError:
            continue
        out.append(f)
    return out


TEXT_COLUMN_NAMES = ("description", "text", "job_description", "jobdescription", "job description", "body",
                     "content", "posting", "description_text", "descriptif")


def find_text_column(columns: Sequence[str], requested: str | None, source: str) -> str:
    """The text column: ``requested``, else ``description``, else one named like text/description."""
    if requested is not None:
        if requested not in columns:
            raise InputError(f"no column {requested!r}; columns are: {', '.join(map(str, columns))}", source)
        return requested
    lower = {str(c).strip().lower(): c for c in columns}
    for name in TEXT_COLUMN_NAMES:
        if name in lower:
            return lower[name]
    raise InputError(f"no text column found (looked for {', '.join(TEXT_COLUMN_NAMES[:4])}); "
                     f"pass --text-column; columns are: {', '.join(map(str, columns))}", source)


def gzip_bytes(path: Path) -> bytes:
    """A file's bytes, decompressed for ``.gz``."""
    import gzip

    return gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else path.read_bytes()


def read_table(path: PathLike) -> "pd.DataFrame":
    """Read a whole CSV/TSV/JSONL/Parquet file (for training and evaluation data)."""
    import pandas as pd

    p = Path(path)
    fmt = format_of(p)
    if not p.is_file():
        raise InputError("no such file", str(p))
    try:
        if fmt == "parquet":
            return pd.read_parquet(p)
        from rolematch.batch_io import EXCEL_SEP, read_head, sniff_csv
        from rolematch.text import FALLBACK_ERRORS, encoding_of

        head = read_head(str(p))  # decompressed for .gz
        encoding = encoding_of(head)  # decoded as score decodes it, whatever the format
        errors = FALLBACK_ERRORS if encoding == "utf-8" else "strict"
        if fmt == "jsonl":
            return _json_table(gzip_bytes(p).decode(encoding, errors=errors).removeprefix("\ufeff"), str(p))
        sep = sniff_csv(p, "\t" if fmt == "tsv" else None, head=head)[0]
        excel = EXCEL_SEP.match(head.decode(encoding, errors="replace").lstrip("\ufeff"))  # as score reads it
        df = pd.read_csv(p, sep=excel.group(1) if excel else sep, skiprows=1 if excel else 0, encoding=encoding,
                         dtype=str, keep_default_na=False, na_values=[""], encoding_errors=errors)
        if not isinstance(df.index, pd.RangeIndex):  # pandas took the first row's extra fields as an index
            raise InputError(f"the first row has more fields than the header has columns (an unquoted "
                             f"{excel.group(1) if excel else sep!r} in a text?); quote that field", str(p))
        return df
    except InputError:
        raise
    except Exception as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else fmt.upper()
        raise InputError(f"cannot read {kind}: {' '.join(str(exc).split())[:300]}", str(p)) from None


def _json_table(text: str, source: str) -> "pd.DataFrame":
    """JSON Lines (or a JSON array of objects) read by score's reader, so both accept the same lines: decoded
    text split at any line end; a line that is not a JSON object is an error naming it (and up to two more)."""
    import io

    import pandas as pd

    from rolematch.batch_io import open_jsonl

    src = open_jsonl(io.StringIO(text, newline=""), source, None)
    rows, lines, bad = [], [], []
    for rec in src.records:
        if rec.error:
            bad.append(rec.error)
        else:
            rows.append(rec.values)
            lines.append(rec.line)
    if bad:
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise InputError(f"{len(bad)} unreadable line(s): {'; '.join(bad[:3])}{more}; fix or remove them", source)
    df = pd.DataFrame.from_records(rows, columns=src.columns)
    df.attrs["lines"] = lines  # each row's line in the file (blank lines and multi-line arrays make them differ)
    return df


def result_row(res: RoleResult | InputError, explain: bool = False, digits: int | None = 4) -> dict[str, Any]:
    """The ``rolematch_*`` values of one row (error rows keep an empty label); confidence and probabilities
    rounded to ``digits`` (files), or as computed with ``None`` (``score_frame``: equal to ``classify``'s).

    With ``explain``, also :data:`EVIDENCE_COLUMN`: the label's evidence (terms, rules with
    their spans, sentences) as a list of dicts (JSON text in CSV and Parquet), None for error rows.
    """
    if isinstance(res, InputError):
        msg = str(res)
        if res.source and msg.startswith(f"{res.source}: "):
            msg = msg[len(res.source) + 2:]
        row: dict[str, Any] = {
            "rolematch_label": None, "rolematch_confidence": None, "rolematch_p_ml_engineer": None,
            "rolematch_p_ml_scientist": None, "rolematch_p_data_scientist": None, "rolematch_p_other": None,
            "rolematch_in_scope": None,
            "rolematch_language": None, "rolematch_skills": None, "rolematch_error": msg}
    else:
        p = res.probabilities

        def num(x: float) -> float:
            return x if digits is None else round(x, digits)

        row = {"rolematch_label": res.label, "rolematch_confidence": num(res.confidence),
               "rolematch_p_ml_engineer": num(p.get("ml_engineer", 0.0)),
               "rolematch_p_ml_scientist": num(p.get("ml_scientist", 0.0)),
               "rolematch_p_data_scientist": num(p.get("data_scientist", 0.0)),
               "rolematch_p_other": num(p.get("other", 0.0)),
               "rolematch_in_scope": res.in_scope, "rolematch_language": res.lang,
               "rolematch_skills": ";".join(res.skills.ids), "rolematch_error": None}
    if explain:
        row[EVIDENCE_COLUMN] = None if isinstance(res, InputError) else [
            c.to_dict() for c in res.evidence.get(res.label, [])]
    return row


def result_columns(results: Iterable[RoleResult | InputError], n: int, explain: bool = False) -> dict[str, list[Any]]:
    """Column-wise ``rolematch_*`` values for ``n`` results (numbers as computed, not rounded)."""
    cols: dict[str, list[Any]] = {c: [] for c in output_columns(explain)}
    count = 0
    for res in results:
        for k, v in result_row(res, explain, digits=None).items():
            cols[k].append(v)
        count += 1
    if count != n:
        raise RuntimeError(f"internal error: {count} results for {n} rows")
    return cols
