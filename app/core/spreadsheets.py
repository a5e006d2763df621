"""Reading uploaded CSV and XLSX tables (one reader for every import: responses, contacts) and
writing them (one writer for every export: responses, coded answers, the board's data pack).

Moved here from surveys/imports/services.py so that the contact import reads files exactly as the
response import does. Decisions:
- CSV is read as UTF-8 (a byte-order mark, as Excel writes, is dropped); a file that is not
  UTF-8 is read as Windows-1252, which is what Excel's plain "CSV" is on Windows.
- Every cell becomes text. The apostrophe that ``spreadsheet_safe`` puts before a formula-like
  cell on export is taken off again, so an export re-imports as it was.
- ``formulas="values"`` (the default) reads the values Excel cached for formula cells;
  ``formulas="text"`` reads the formula itself ("=A1&B1"), so a caller can refuse it.
- Row numbers in messages are the file's own (the header is row 1), so people can find a row
  in Excel.

Writing (``to_csv``, ``Sheet`` and ``to_xlsx``): an analyst opens the file in Excel and works
at once. Numbers stay numbers (XLSX numeric cells, never text like ``'-21``), dates are real
dates, no answer is a blank cell, and every text cell is formula-safe and stored as a string.
Figures a page shows as text ("40%", "+3", "1,234") are turned back into numbers by
``as_number`` where a sheet asks for it (``numbers_from_text``); words ("fewer than 5") stay.

Exports of any size stream: ``csv_lines`` yields the CSV a line at a time (a streamed response)
and ``write_xlsx`` writes a workbook row by row into a file with openpyxl's write-only mode, so
neither holds the rows in memory; a sheet's ``rows`` may be any iterable. ``xlsx_file`` is what
an export route sends: the workbook in an unnamed temporary file, gone once the response
closes it. ``to_csv`` and
``to_xlsx`` are the same writers collected into bytes, for small files.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.abc
import io
import re
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import IO, Any


class _NoNumpyHere(importlib.abc.MetaPathFinder):
    """Refuses numpy to the thread that is loading openpyxl, and only while it is (see below)."""

    def __init__(self) -> None:
        self.loading = threading.local()

    def find_spec(self, fullname, path, target=None):
        if fullname == "numpy" and getattr(self.loading, "openpyxl", False):
            raise ModuleNotFoundError("not loaded for openpyxl", name=fullname)
        return None  # every other import, and numpy in every other thread: as usual


_NO_NUMPY = _NoNumpyHere()


@cache
def openpyxl() -> ModuleType:
    """openpyxl, loaded the first time a workbook is read or written (imports and exports).

    Imported here rather than at the top of the module: it costs about 10 MB and 0.2 s, and the
    survey pages and the send worker never touch a workbook.

    openpyxl imports numpy when it is installed (it is, for the charts and reports), only to
    count numpy's number types as numbers: 20 MB and 0.1 s more, in a process that may need
    numpy for nothing else (a board pack whose charts are cached). It is not needed: every
    value reaches openpyxl through ``_xlsx_cell`` as a Python int, float (numpy's floats are
    floats), date or text, and a workbook is read into Python values. So while openpyxl loads,
    the loading thread is refused numpy (openpyxl then counts int, float and Decimal as
    numbers); a process that has numpy already, or another thread importing it meanwhile,
    is not affected."""
    sys.meta_path.insert(0, _NO_NUMPY)
    _NO_NUMPY.loading.openpyxl = True
    try:
        import openpyxl  # lazy on purpose (memory): see the docstring
        import openpyxl.cell
        import openpyxl.styles
    finally:
        _NO_NUMPY.loading.openpyxl = False
        sys.meta_path.remove(_NO_NUMPY)
    return openpyxl


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 50_000


class TableInvalid(Exception):
    """The file cannot be read as a table; the message says what to change."""


@dataclass(frozen=True)
class TableWording:
    """What a table holds, for the messages: the response import's wording by default."""

    contents: str = "the answers"
    noun: str = "answers"
    example_headers: str = "Q1, Q2, Q3"
    sheet: str = "Responses"


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in one cell (OWASP: CSV injection).

    Text that starts with = + - @, a tab or a carriage return gets a leading apostrophe, so
    Excel, LibreOffice and Google Sheets treat it as text. Numbers and empty cells pass as they
    are. Every export uses this one function.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A CSV for Excel: UTF-8 with a byte order mark, every text cell formula-safe, dates as
    ISO dates (which Excel reads as dates) and None as an empty cell."""
    return b"".join(csv_lines(headers, rows))


def csv_lines(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """``to_csv``, a line at a time (the byte order mark comes with the header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(h) for h in headers])
    yield out.getvalue().encode("utf-8-sig")
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([_csv_cell(cell) for cell in row])
        yield out.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_safe(value)


NUMBER_TEXT = re.compile(
    r"^(?P<number>[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?|[+-]?\d+(?:\.\d+)?)(?P<pct>%?)$"
)
PERCENT_FORMAT = "0%"
DATE_FORMAT = "d mmm yyyy"


def as_number(value: Any) -> Any:
    """A figure shown as text ("40%", "-21", "+3", "1,234") as a number (a share: 0.4); any
    other value unchanged. "40%" becomes 0.4 so Excel shows it as 40% and sums it right."""
    if not isinstance(value, str):
        return value
    match = NUMBER_TEXT.match(value.strip().replace("\u2212", "-"))
    if match is None:
        return value
    number = float(match["number"].replace(",", ""))
    if match["pct"]:
        return number / 100
    return int(number) if number.is_integer() else number


@dataclass
class Sheet:
    """One worksheet: a title and rows (row ``header_row`` is the column names)."""

    title: str
    rows: Iterable[list[Any]]
    header_row: int | None = 1
    freeze: str | None = "A2"
    # Turn figures shown as text into numbers (not in the first column, the row labels, nor in
    # the header or rows above it).
    numbers_from_text: bool = False
    title_row: bool = False  # the first row is a heading: larger and bold
    widths: dict[str, float] = field(default_factory=dict)


def to_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook: numbers as numeric cells, dates as date cells, None blank, text as text."""
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


def write_xlsx(sheets: list[Sheet], into: Path | IO[bytes]) -> None:
    """``to_xlsx`` into a file, row by row (write-only: the rows are never all in memory)."""
    book = openpyxl().Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book.create_sheet(spec.title[:31]), spec)
    book.save(into)


def xlsx_file(sheets: list[Sheet]) -> IO[bytes]:
    """``write_xlsx`` into an unnamed temporary file (gone when closed), read from the start."""
    into = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it when sent)
    write_xlsx(sheets, into)
    into.seek(0)
    return into


def _write_sheet(sheet, spec: Sheet) -> None:
    # Write-only sheets take their frozen panes and widths before the first row.
    if spec.freeze:
        sheet.freeze_panes = spec.freeze
    for column, width in spec.widths.items():
        sheet.column_dimensions[column].width = width
    styles = openpyxl().styles
    for r, row in enumerate(spec.rows, start=1):
        below_header = spec.header_row is None or r > spec.header_row
        cells = []
        for c, source in enumerate(row, start=1):
            value = (
                as_number(source) if spec.numbers_from_text and below_header and c > 1 else source
            )
            cell = openpyxl().cell.WriteOnlyCell(sheet, _xlsx_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula: values are already formula-safe
            elif isinstance(cell.value, datetime | date):
                cell.number_format = DATE_FORMAT
            elif value is not source and str(source).strip().endswith("%"):
                cell.number_format = PERCENT_FORMAT
            if r == 1 and c == 1 and spec.title_row:
                cell.font = styles.Font(bold=True, size=14)
            if r == spec.header_row:
                cell.font = styles.Font(bold=True)
                cell.alignment = styles.Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        sheet.append(cells)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int | float) or value is None:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return spreadsheet_safe(str(value))


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Undo spreadsheet_safe: "'=1+1" was exported from the text "=1+1".
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def read_table(
    filename: str,
    data: bytes,
    *,
    wording: TableWording = TableWording(),
    formulas: str = "values",
    max_rows: int = MAX_ROWS,
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of text from a CSV or XLSX file, or TableInvalid saying why not."""
    name = (filename or "").lower()
    if not data:
        raise TableInvalid(f"The file is empty. Choose the file with {wording.contents} in it")
    if name.endswith(".csv"):
        rows = _read_csv(data)
    elif name.endswith(".xlsx"):
        rows = _read_xlsx(data, wording, formulas, max_rows)
    else:
        raise TableInvalid("The file must be a CSV or an Excel workbook (.csv or .xlsx)")
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise TableInvalid(
            f"The first row must hold the column names, like {wording.example_headers}"
        )
    headers = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        if not header:
            if any(len(r) >= index and r[index - 1] for r in rows[1:]):
                raise TableInvalid(f"Column {index} has {wording.noun} but no name in row 1")
            continue
        if header.lower() in seen:
            raise TableInvalid(f"Two columns are called '{header}'. Give each column its own name")
        seen.add(header.lower())
    body = rows[1:]
    if not body:
        raise TableInvalid(f"The file has column names but no {wording.noun} under them")
    if len(body) > max_rows:
        raise TableInvalid(
            f"The file has {len(body):,} rows. Import at most {max_rows:,} rows at a time: "
            "split the file and upload each part"
        )
    width = len(headers)
    body = [(r + [""] * width)[:width] for r in body]
    return headers, body


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in text:
        raise TableInvalid(
            "This does not look like a CSV file. Save it as CSV (UTF-8) and try again"
        )
    try:
        return [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise TableInvalid(f"The CSV file cannot be read: {exc}") from None


def _read_xlsx(data: bytes, wording: TableWording, formulas: str, max_rows: int):
    try:
        book = openpyxl().load_workbook(io.BytesIO(data), data_only=formulas == "values")
    except Exception:  # openpyxl raises many kinds for a broken or mislabelled file
        raise TableInvalid(
            "This file cannot be opened as an Excel workbook. Save it as .xlsx and try again"
        ) from None
    names = book.sheetnames
    if wording.sheet in names:
        sheet = book[wording.sheet]
    elif len(names) == 1:
        sheet = book[names[0]]
    else:
        listed = ", ".join(f"'{n}'" for n in names[:6])
        raise TableInvalid(
            f"The workbook has {len(names)} sheets ({listed}). Name the sheet with "
            f"{wording.contents} '{wording.sheet}', or delete the other sheets"
        )
    merged = list(sheet.merged_cells.ranges)
    if merged:
        where = ", ".join(str(r) for r in merged[:5])
        raise TableInvalid(
            f"Some cells are merged ({where}). Unmerge them and put a value in every row, "
            "then upload the file again"
        )
    if sheet.max_row > max_rows + 1:
        raise TableInvalid(
            f"The sheet has {sheet.max_row - 1:,} rows. Import at most {max_rows:,} rows at a "
            "time: split the file and upload each part"
        )
    return [[cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def signature(headers: list[str]) -> str:
    """A hash of a file's column names, to remember how a file like it was mapped."""
    normal = "\x1f".join(h.strip().lower() for h in headers)
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
