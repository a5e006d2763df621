"""Helpers for contact tests: a contacts file of any size with chosen broken rows."""

from __future__ import annotations

import csv
import io
from datetime import date

HEADERS = [
    "Forename",
    "Surname",
    "DOB",
    "Mobile Number",
    "Email",
    "Address 1",
    "Town",
    "Postcode",
    "Team",
    "PA",
    "Status",
]
TEAMS = ["North", "South", "East"]


def good_row(i: int) -> list[str]:
    born = date(2001 + i % 7, 1 + i % 12, 1 + i % 28)
    return [
        f"Testy{i}",
        f"Example{i}",
        born.strftime("%d/%m/%Y"),
        f"07700 900{i:03d}",
        f"person{i}@example.org",
        f"{i} Fiction Street",
        "Northbridge",
        "NB1 2AB",
        TEAMS[i % 3],
        "Pat Adviser",
        ["Relevant", "Former relevant", "Qualifying"][i % 3],
    ]


def to_csv(rows: list[list[str]], headers: list[str] = HEADERS, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
