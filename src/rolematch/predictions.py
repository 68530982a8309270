"""An evaluation's per-row predictions, written beside its report: which rows the model got wrong, and how.

``rolematch evaluate DATA --predictions FILE`` writes each evaluated row as
``score`` writes a scored one (its cells, then the ``rolematch_*`` columns),
with where it comes from in front: ``rolematch_file`` and ``rolematch_row``
(its data row counted from 1, or its line in JSON Lines). The file is written
to a temporary name and renamed at the end, like every output of rolematch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from rolematch.batch_io import Writer, encodable, require_pyarrow, text_cell
from rolematch.errors import InputError
from rolematch.table import format_of, output_columns, result_row, table_files

if TYPE_CHECKING:
    import pandas as pd

    from rolematch.results import RoleResult

#: The columns in front of a row's own cells: the file it was read from and its data row (or line).
SOURCE_COLUMNS = ("rolematch_file", "rolematch_row")
_CHUNK = 256


class PredictionWriter:
    """Writes the rows of ``df`` (read with ``read_labelled(..., origin=True)`` from ``data``) and their results.

    Refuses, before any posting is scored: ``-`` (the report is on standard output), an output that is
    one of the data files or would be read as one (a table inside the data folder), and data whose
    columns already use the names this file adds.
    """

    def __init__(self, path: str, df: "pd.DataFrame", data: str) -> None:
        from rolematch.batch import _refuse_overwriting_input
        from rolematch.train import ORIGIN

        if path == "-":
            raise InputError("the report is on standard output; name a file for the predictions", path)
        format_of(path)  # a file type rolematch writes, checked before the work
        src = Path(data)
        for f in (table_files(src) if src.is_dir() else [src]):
            _refuse_overwriting_input(str(f), path)
        if src.is_dir() and Path(path).resolve().parent == src.resolve():
            raise InputError(f"inside the data folder {data!r}, where the next run would read it as labelled "
                             "postings; write it elsewhere", path)
        self._origins = df[ORIGIN].tolist()
        columns = list(dict.fromkeys(c for _, _, cells in self._origins for c in cells))
        clash = [c for c in (*SOURCE_COLUMNS, *output_columns(True)) if c in columns]
        if clash:
            raise InputError(f"the data already has column(s) {', '.join(clash)} (already scored?); the predictions "
                             "would hide them: rename or drop them", data)
        self._columns = columns
        self._parquet = format_of(path) == "parquet"
        schema = None
        if self._parquet:  # the row number as a number; the cells as text, as score writes a CSV's into Parquet
            require_pyarrow("writing Parquet", path)
            import pyarrow as pa

            schema = pa.schema([(SOURCE_COLUMNS[0], pa.string()), (SOURCE_COLUMNS[1], pa.int64()),
                                *[(encodable(c), pa.string()) for c in columns]])
        self._writer = Writer(path, [*SOURCE_COLUMNS, *columns], schema=schema)
        self.rows = 0

    def tee(self, results: Iterable["RoleResult | InputError"]) -> Iterator["RoleResult | InputError"]:
        """Pass ``results`` (one per row of ``df``, in order) on, writing each row as it goes by."""
        chunk: list[dict[str, Any]] = []
        for (name, row, cells), res in zip(self._origins, results):
            values = {c: cells.get(c) for c in self._columns}  # every row gets every column
            if self._parquet:
                values = {c: text_cell(v) for c, v in values.items()}
            chunk.append({SOURCE_COLUMNS[0]: name, SOURCE_COLUMNS[1]: row, **values, **result_row(res)})
            if len(chunk) >= _CHUNK:
                self._writer.write(chunk)
                chunk = []
            self.rows += 1
            yield res
        self._writer.write(chunk)

    def commit(self) -> None:
        """Finish the file and move it onto its name."""
        self._writer.commit()

    def abort(self) -> None:
        """Drop the temporary file; an earlier file of that name is left as it was."""
        self._writer.abort()
