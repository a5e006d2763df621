"""Reading uploaded CSV and XLSX tables: one reader for every import (responses, contacts).

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
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

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


def to_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """A CSV for Excel: UTF-8 with a byte order mark, every text cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(h) for h in headers])
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


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
        book = load_workbook(io.BytesIO(data), data_only=formulas == "values")
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
