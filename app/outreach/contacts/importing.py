"""Importing contacts from case-management exports: upload, map columns, preview, import.

The file is read by the same reader as the response import (app/core/spreadsheets.py): CSV in UTF-8
(with or without a byte-order mark) or Windows-1252, or XLSX. Decisions:
- Formula cells are read as formulas (``formulas="text"``) and refused row by row: a cached
  value may be stale, and "=HYPERLINK(...)" in a name is not a name.
- Each row is checked by ``services.clean_contact``, the same rules as the form. A bad row is
  reported with its row number in the file (the header is row 1) and its reason, and the good
  rows still go in. The good rows go in in one transaction: if anything fails, nothing is saved.
- Duplicates: a row with the same mobile, or the same name and date of birth, as an earlier
  row of the file is skipped and reported; one matching a contact already kept is merged into
  it (the file's non-blank values win, except that an import never clears "do not contact",
  "opted out" or "number known bad"). A row that matches two different contacts is refused.
  So importing the same file twice changes nothing the second time.
- The column mapping is remembered by the file's header signature (ContactMapping).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.core import mapping, spreadsheets
from app.core.clock import today
from app.core.extensions import db
from app.core.spreadsheets import TableInvalid, TableWording
from app.outreach.contacts.models import Contact, ContactMapping, ContactUpload
from app.outreach.contacts.services import apply_values, clean_contact, name_key, sync_opt_out
from app.staff.audit.services import record

MAX_ROWS = 20_000
MAX_PROBLEMS_SHOWN = 500
WORDING = TableWording(
    contents="the care leavers' details", noun="details", example_headers="Name, Mobile, Email"
)

# What a column can hold. Address lines and first/last names are joined.
TARGETS: list[tuple[str, str]] = [
    ("", "Do not import this column"),
    ("name", "Full name"),
    ("first_name", "First name"),
    ("last_name", "Last name (surname)"),
    ("preferred_name", "Preferred name"),
    ("date_of_birth", "Date of birth"),
    ("mobile", "Mobile number"),
    ("email", "Email address"),
    ("address_1", "Address line 1"),
    ("address_2", "Address line 2"),
    ("address_3", "Town or city"),
    ("postcode", "Postcode"),
    ("team", "Team"),
    ("personal_adviser", "Personal Adviser"),
    ("legal_status", "Legal status"),
    ("in_touch", "In touch (yes or no)"),
    ("preferred_channel", "Preferred way to contact (text, email, letter)"),
    ("consent", "Consent to contact (yes or no)"),
    ("do_not_contact", "Do not contact (yes or no)"),
    ("do_not_contact_reason", "Reason not to contact"),
    ("opted_out", "Opted out of surveys (yes or no)"),
    ("number_bad", "Number known bad (yes or no)"),
]
TARGET_KEYS = {key for key, _ in TARGETS}
SYNONYMS = {
    "full name": "name",
    "client name": "name",
    "young person": "name",
    "forename": "first_name",
    "first name": "first_name",
    "given name": "first_name",
    "surname": "last_name",
    "last name": "last_name",
    "family name": "last_name",
    "known as": "preferred_name",
    "dob": "date_of_birth",
    "d.o.b.": "date_of_birth",
    "birth date": "date_of_birth",
    "mobile number": "mobile",
    "mobile phone": "mobile",
    "phone": "mobile",
    "phone number": "mobile",
    "telephone": "mobile",
    "email address": "email",
    "e-mail": "email",
    "address": "address_1",
    "address 1": "address_1",
    "address 2": "address_2",
    "town": "address_3",
    "city": "address_3",
    "post code": "postcode",
    "pa": "personal_adviser",
    "personal advisor": "personal_adviser",
    "worker": "personal_adviser",
    "status": "legal_status",
    "care leaver status": "legal_status",
    "preferred contact": "preferred_channel",
    "channel": "preferred_channel",
    "dnc": "do_not_contact",
    "dnc reason": "do_not_contact_reason",
}


class ImportInvalid(Exception):
    """The file or the mapping cannot be used; the message says what to change."""


# --- Upload and mapping ----------------------------------------------------------------------


def auto_columns(headers: list[str]) -> dict[str, str]:
    return mapping.guess_columns(headers, TARGET_KEYS, SYNONYMS)


def start_upload(filename: str, data: bytes) -> ContactUpload:
    try:
        headers, rows = spreadsheets.read_table(
            filename, data, wording=WORDING, formulas="text", max_rows=MAX_ROWS
        )
    except TableInvalid as exc:
        raise ImportInvalid(str(exc)) from None
    signature = spreadsheets.signature(headers)
    remembered = db.session.scalar(
        sa.select(ContactMapping).where(ContactMapping.signature == signature)
    )
    columns = mapping.with_remembered(
        auto_columns(headers), remembered.columns if remembered else None
    )
    upload = ContactUpload(
        filename=(filename or "upload")[-200:],
        signature=signature,
        headers=headers,
        rows=rows,
        columns=columns,
    )
    db.session.add(upload)
    record("contacts.upload", upload, detail=f"{upload.filename}: {len(rows)} rows")
    db.session.commit()
    return upload


def save_mapping(upload: ContactUpload, columns: dict[str, str]) -> None:
    problem = mapping.column_problem(
        columns,
        TARGET_KEYS,
        lambda target: f"Two columns are matched to '{dict(TARGETS)[target]}'. Match each one once",
    )
    if problem:
        raise ImportInvalid(problem)
    chosen = [t for t in columns.values() if t]
    if "name" not in chosen and not {"first_name", "last_name"} <= set(chosen):
        raise ImportInvalid(
            "Match a column to 'Full name', or columns to both 'First name' and 'Last name'"
        )
    if not {"mobile", "email", "address_1", "postcode"} & set(chosen):
        raise ImportInvalid(
            "Match at least one way to reach people: a mobile, email or address column"
        )
    upload.columns = mapping.mapped_columns(upload.headers, columns)
    remembered = db.session.scalar(
        sa.select(ContactMapping).where(ContactMapping.signature == upload.signature)
    )
    if remembered is None:
        remembered = ContactMapping(signature=upload.signature)
        db.session.add(remembered)
    remembered.columns = dict(upload.columns)
    db.session.commit()


# --- Checking rows -----------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int  # in the file: the header is row 1
    action: str  # "new", "update", "unchanged", "duplicate", "error"
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    contact_id: int | None = None


@dataclass
class Preview:
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def problems(self) -> list[RowResult]:
        return [r for r in self.rows if r.action in ("error", "duplicate")]

    @property
    def to_save(self) -> list[RowResult]:
        return [r for r in self.rows if r.action in ("new", "update")]


def _raw(upload: ContactUpload, row: list[str]) -> dict[str, str]:
    cells = {t: row[i] for i, h in enumerate(upload.headers) if (t := upload.columns.get(h))}
    raw = {k: v for k, v in cells.items() if k in TARGET_KEYS - {"first_name", "last_name"}}
    for part in ("address_1", "address_2", "address_3"):
        raw.pop(part, None)
    if "first_name" in cells or "last_name" in cells:
        raw["name"] = " ".join(p for p in (cells.get("first_name"), cells.get("last_name")) if p)
    lines = [cells[p] for p in ("address_1", "address_2", "address_3") if cells.get(p)]
    if any(p in cells for p in ("address_1", "address_2", "address_3")):
        raw["address"] = "\n".join(lines)
    # A blank cell means "not known", not "clear it": keep what we have.
    return {k: v for k, v in raw.items() if k == "name" or str(v).strip()}


def check_rows(upload: ContactUpload, on: date | None = None) -> Preview:
    on = on or today()
    existing = db.session.execute(
        sa.select(Contact.id, Contact.mobile, Contact.name_key, Contact.date_of_birth)
    ).all()
    by_mobile = {m: i for i, m, _n, _d in existing if m}
    by_person = {(n, d): i for i, _m, n, d in existing if d}
    seen_mobile: dict[str, int] = {}
    seen_person: dict[tuple[str, date | None], int] = {}  # filled only with a date
    contacts: dict[int, Contact] = {}
    results = []
    for offset, row in enumerate(upload.rows):
        number = offset + 2
        if not any(cell.strip() for cell in row):
            continue
        values, problems = clean_contact(_raw(upload, row), on=on)
        if problems:
            results.append(RowResult(number, "error", reason="; ".join(problems)))
            continue
        mobile = values.get("mobile")
        person = (name_key(values["name"]), values.get("date_of_birth"))
        earlier = seen_mobile.get(mobile) if mobile else None
        if earlier is None and person[1] is not None:
            earlier = seen_person.get(person)
        if earlier is not None:
            same = "mobile" if mobile and seen_mobile.get(mobile) == earlier else "name and date"
            reason = (
                f"the same person as row {earlier} (same {same}{' of birth' * (same != 'mobile')})"
            )
            results.append(RowResult(number, "duplicate", reason=reason))
            continue
        if mobile:
            seen_mobile[mobile] = number
        if person[1] is not None:
            seen_person[person] = number
        matches = {by_mobile.get(mobile) if mobile else None, by_person.get(person)} - {None}
        if len(matches) > 1:
            results.append(
                RowResult(
                    number,
                    "error",
                    reason="the mobile belongs to one contact and the name and date of birth "
                    "to another. Check which is right and change it by hand",
                )
            )
            continue
        if not matches:
            results.append(RowResult(number, "new", values))
            continue
        contact_id = matches.pop()
        assert contact_id is not None  # None was taken out of matches
        contact = contacts.get(contact_id) or db.session.get(Contact, contact_id)
        if contact is None:  # deleted since the list above was read: it is someone new now
            results.append(RowResult(number, "new", values))
            continue
        contacts[contact_id] = contact
        action = "update" if _would_change(contact, values) else "unchanged"
        results.append(RowResult(number, action, values, contact_id=contact_id))
    return Preview(results)


def _would_change(contact: Contact, values: dict) -> bool:
    for name, value in values.items():
        if name in ("do_not_contact", "opted_out", "number_bad") and not value:
            continue
        if name == "name" and name_key(value) == contact.name_key:
            continue
        if getattr(contact, name) != value:
            return True
    return False


# --- Importing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    problems: int


def import_rows(upload: ContactUpload) -> ImportResult:
    """Save the good rows (one transaction); report the others. Nothing half-imported."""
    preview = check_rows(upload)
    saved = preview.to_save
    try:
        for row in saved:
            contact: Contact | None
            if row.action == "new":
                contact = Contact(name=row.values["name"], name_key=name_key(row.values["name"]))
                apply_values(contact, row.values, sticky=False)
                db.session.add(contact)
            else:
                contact = db.session.get(Contact, row.contact_id)
                if contact is None:  # deleted since the preview: import nothing, say why
                    raise ImportInvalid("A contact was deleted meanwhile. Check the file again")
                apply_values(
                    contact, {k: v for k, v in row.values.items() if k != "name"}, sticky=True
                )
                contact.updated_on = today()
            if not contact.may_be_contacted:
                db.session.flush()
                sync_opt_out(contact)
        result = ImportResult(
            added=preview.count("new"),
            updated=preview.count("update"),
            unchanged=preview.count("unchanged"),
            problems=len(preview.problems),
        )
        record(
            "contacts.import",
            object_type="ContactUpload",
            object_id=upload.id,
            detail=(
                f"{upload.filename}: {result.added} added, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.problems} rows left out"
            ),
        )
        db.session.delete(upload)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def discard(upload: ContactUpload) -> None:
    db.session.delete(upload)
    db.session.commit()


def get_upload(upload_id: int) -> ContactUpload | None:
    return db.session.get(ContactUpload, upload_id)
