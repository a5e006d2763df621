"""Importing contacts from case-management exports: upload, map columns, preview, import.

The file is read by the same reader as the response import (app/core/spreadsheets.py): CSV in UTF-8
(with or without a byte-order mark) or Windows-1252, or XLSX. Decisions:
- Formula cells are read as formulas (``formulas="text"``) and refused row by row: a cached
  value may be stale, and "=HYPERLINK(...)" in a name is not a name.
- Each row is checked by ``services.clean_contact``, the same rules as the form. A row without
  a name is left out; a bad optional cell (a date we cannot read, a status like "Martian",
  "no phone") is left blank with a warning and the rest of the row goes in (``clean_row``).
  Dates like 19/6/03 and 25-Mar-01 and the status "FR" are read. Each row also says if the
  person could not be invited (app/outreach/contacts/eligibility.py, the one rule).
- Matching: the same name and date of birth, or the same name and mobile, or (with neither a
  date nor a mobile) the same name and email, is the same person. A mobile alone is a weak
  match: a row whose mobile is on a record with another name changes nothing and is shown as
  a conflict. Every change to a record is previewed field by field; a different date of birth
  for the same name and mobile is a conflict, shown and never applied. The file's non-blank
  values win otherwise, except that an import never clears "do not contact", "opted out" or
  "number known bad". So importing the same file twice adds nothing the second time.
- Rows left out, conflicts and warnings are listed on the preview, downloadable as CSV, and
  kept after the import as a ContactImportReport (row numbers and reasons, no row contents).
- The column mapping is remembered by the file's header signature (ContactMapping).
- Importing runs as a job (tasks.import_contacts) and saves IMPORT_BATCH_ROWS rows per
  transaction, so a 30,000-row file never holds SQLite's write lock for long (it once failed
  young people's answers with "database is locked"); the report shows the progress meanwhile.
  A file stopped half-way is finished by importing it again: nothing is added twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.core import batches, mapping, spreadsheets
from app.core.clock import today
from app.core.extensions import commit_keeping_loaded, db, insert_once
from app.core.spreadsheets import TableInvalid, TableWording
from app.outreach.contacts.eligibility import why_not_eligible
from app.outreach.contacts.groups import GROUPS
from app.outreach.contacts.models import (
    Contact,
    ContactImportReport,
    ContactMapping,
    ContactUpload,
)
from app.outreach.contacts.services import (
    STICKY,
    apply_values,
    clean_contact,
    name_key,
    sync_opt_out,
)
from app.staff.audit.services import record

MAX_ROWS = 50_000
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
    ("preferred_language", "Preferred language (a name like Arabic, or a code like ar)"),
    *((group.field, f"Group: {group.label} (yes or no)") for group in GROUPS),
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
    "language": "preferred_language",
    "first language": "preferred_language",
    "main language": "preferred_language",
    "uasc": "group_asylum_seeking",
    "asylum seeking": "group_asylum_seeking",
    "asylum-seeking": "group_asylum_seeking",
    "disabled": "group_disabled",
    "disability": "group_disabled",
    "youth justice": "group_youth_justice",
    "yot": "group_youth_justice",
    "parent": "group_parent",
    "in custody": "group_in_custody",
    "custody": "group_in_custody",
    "out of area": "group_out_of_area",
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

REQUIRED = ("name",)
FIELD_LABELS = {key: label for key, label in TARGETS if key} | {
    "address": "Address",
    "name": "Name",
}
# Who a row is: a contact is the same person only when the name matches too. A mobile alone is
# a weak match (numbers are passed on, shared and mistyped), so it never changes a record.
IDENTITY = ("name", "date_of_birth")


@dataclass
class Change:
    field: str  # the label a worker reads
    old: str
    new: str


@dataclass
class RowResult:
    number: int  # in the file: the header is row 1
    action: str  # "new", "update", "unchanged", "conflict", "duplicate", "error"
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    contact_id: int | None = None
    changes: list[Change] = field(default_factory=list)  # applied on import
    conflicts: list[Change] = field(default_factory=list)  # shown, never applied
    warnings: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def problems(self) -> list[RowResult]:
        """Rows left out: refused, repeated in the file, or in conflict with a record."""
        return [r for r in self.rows if r.action in ("error", "duplicate", "conflict")]

    @property
    def warned(self) -> list[RowResult]:
        return [r for r in self.rows if r.warnings]

    @property
    def updates(self) -> list[RowResult]:
        return [r for r in self.rows if r.changes or (r.conflicts and r.action != "conflict")]

    @property
    def to_save(self) -> list[RowResult]:
        return [r for r in self.rows if r.action in ("new", "update")]

    def report(self) -> list[dict[str, str]]:
        """One line per problem or warning, for the downloadable report."""
        lines = []
        for r in self.rows:
            if r.action in ("error", "duplicate", "conflict"):
                outcome = {"error": "Left out", "duplicate": "Left out: duplicate"}.get(
                    r.action, "Left out: conflict"
                )
                lines.append({"row": str(r.number), "outcome": outcome, "reason": r.reason})
            for c in r.conflicts if r.action != "conflict" else []:
                lines.append(
                    {
                        "row": str(r.number),
                        "outcome": "Not changed: conflict",
                        "reason": f"{c.field}: the list has {c.old}, the file has {c.new}",
                    }
                )
            for w in r.warnings:
                lines.append(
                    {"row": str(r.number), "outcome": "Imported with a warning", "reason": w}
                )
        return lines


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


def clean_row(raw: dict[str, Any], on: date) -> tuple[dict, list[str], list[str]]:
    """(values, problems, warnings). A bad optional field is left out with a warning, so one
    odd cell ("no phone", "FR", a date we cannot read) does not lose the whole person."""
    values, problems = clean_contact(dict(raw), on=on)
    if not problems:
        return values, [], []
    warnings: list[str] = []
    kept = dict(raw)
    for name in list(raw):
        if name in REQUIRED:
            continue
        _value, wrong = clean_contact({name: raw[name]}, on=on)
        if wrong:
            kept.pop(name)
            label = FIELD_LABELS.get(name, name.replace("_", " "))
            warnings.append(f"{label} left blank: {'; '.join(wrong)}")
    values, problems = clean_contact(kept, on=on)
    return values, problems, warnings


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value).replace("\n", ", ")


def _compare(contact: Contact, values: dict, *, by_name_and_mobile: bool):
    """The changes a row would make to a contact, and the conflicts it would not apply."""
    changes, conflicts = [], []
    for name, value in values.items():
        if name in STICKY and not value:
            continue  # an import never clears a safety flag
        if name == "name" and name_key(value) == contact.name_key:
            continue
        old = getattr(contact, name)
        if old == value:
            continue
        change = Change(FIELD_LABELS.get(name, name), _shown(name, old), _shown(name, value))
        # A different date of birth for "the same" name and mobile is a different person or a
        # typo: a worker decides, the file does not.
        if name == "date_of_birth" and old is not None and by_name_and_mobile:
            conflicts.append(change)
        else:
            changes.append(change)
    return changes, conflicts


ELIGIBILITY_FIELDS = ("date_of_birth", "consent", "do_not_contact", "opted_out")


def _eligibility_warning(values: dict, contact: Contact | None, on: date) -> list[str]:
    """Say on the row if the person, once imported, could not be invited (the one rule)."""
    merged = {f: getattr(contact, f) for f in ELIGIBILITY_FIELDS} if contact else {}
    merged |= {k: v for k, v in values.items() if k in ELIGIBILITY_FIELDS and v is not None}
    why = why_not_eligible(Contact(**merged), on)  # a probe, never added to the session
    return [f"Will not be invited: {why}"] if why else []


def check_rows(upload: ContactUpload, on: date | None = None) -> Preview:
    on = on or today()
    existing = db.session.execute(
        sa.select(
            Contact.id, Contact.mobile, Contact.name_key, Contact.date_of_birth, Contact.email
        )
    ).all()
    by_mobile = {m: (i, n) for i, m, n, _d, _e in existing if m}
    by_person = {(n, d): i for i, _m, n, d, _e in existing if d}
    # With neither a date of birth nor a mobile, the name and email say who it is, so a row
    # whose date could not be read is still recognised when the same file comes again.
    by_email = {(n, e): i for i, _m, n, _d, e in existing if e}
    seen_mobile: dict[str, int] = {}
    seen_person: dict[tuple[str, date | None], int] = {}  # filled only with a date
    contacts: dict[int, Contact] = {}
    results = []
    for offset, row in enumerate(upload.rows):
        number = offset + 2
        if not any(cell.strip() for cell in row):
            continue
        values, problems, warnings = clean_row(_raw(upload, row), on)
        if problems:
            results.append(RowResult(number, "error", reason="; ".join(problems)))
            continue
        mobile = values.get("mobile")
        key = name_key(values["name"])
        person = (key, values.get("date_of_birth"))
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
        by_person_id = by_person.get(person) if person[1] is not None else None
        if by_person_id is None and not mobile and values.get("email"):
            by_person_id = by_email.get((key, values["email"]))
        mobile_owner = by_mobile.get(mobile) if mobile else None
        if mobile_owner is not None and mobile_owner[1] != key:
            # A weak match: the number is on someone else's record. Never overwrite on it.
            results.append(
                RowResult(
                    number,
                    "conflict",
                    values,
                    reason="this mobile is already on another contact's record with a "
                    "different name. Nothing was changed: check whose number it is and "
                    "change it by hand",
                    contact_id=mobile_owner[0],
                    warnings=warnings,
                )
            )
            continue
        matches = {by_person_id, mobile_owner[0] if mobile_owner else None} - {None}
        if len(matches) > 1:
            results.append(
                RowResult(
                    number,
                    "conflict",
                    values,
                    reason="the mobile belongs to one contact and the name and date of birth "
                    "to another. Check which is right and change it by hand",
                    warnings=warnings,
                )
            )
            continue
        if not matches:
            warnings += _eligibility_warning(values, None, on)
            results.append(RowResult(number, "new", values, warnings=warnings))
            continue
        contact_id = matches.pop()
        assert contact_id is not None  # None was taken out of matches
        contact = contacts.get(contact_id) or db.session.get(Contact, contact_id)
        if contact is None:  # deleted since the list above was read: it is someone new now
            results.append(RowResult(number, "new", values, warnings=warnings))
            continue
        contacts[contact_id] = contact
        warnings += _eligibility_warning(values, contact, on)
        changes, conflicts = _compare(contact, values, by_name_and_mobile=by_person_id is None)
        results.append(
            RowResult(
                number,
                "update" if changes else "unchanged",
                values,
                contact_id=contact_id,
                changes=changes,
                conflicts=conflicts,
                warnings=warnings,
            )
        )
    return Preview(results)


# --- Importing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    problems: int
    report_id: int | None = None


def begin_import(upload: ContactUpload) -> tuple[ContactImportReport, bool]:
    """The report an import fills in as it goes (``finished`` false until the end), and whether
    it is new; the caller commits and queues ``tasks.import_contacts`` for a new one. The same
    upload sent again while its import runs (a double click) gives that report: two jobs would
    both match the file against the contacts before either saved, and add the same people
    twice. The database holds that rule (one unfinished report per upload, a partial unique
    index), so two clicks at the same moment, each finding no report yet, make one."""
    row = {
        "filename": upload.filename,
        "summary": "Importing",
        "finished": False,
        "rows_total": len(upload.rows),
        "upload_id": upload.id,
    }
    return insert_once(ContactImportReport, row, "upload_id", lambda: _running_report(upload.id))


def _running_report(upload_id: int) -> ContactImportReport | None:
    return db.session.scalars(
        sa.select(ContactImportReport).where(
            ContactImportReport.upload_id == upload_id, ContactImportReport.finished.is_(False)
        )
    ).first()


def run_import(report_id: int, upload_id: int | None = None) -> None:
    """The job: take the import (the fence in app/core/batches.py), then import the upload's
    rows. Safe to run twice, and at once: the later job takes over, the earlier one stops at its
    next batch. Rows a lost job saved are matched as already on record."""
    report = db.session.get(ContactImportReport, report_id)
    if report is None or report.finished:
        return
    seen = report.attempt
    if not batches.take_over(
        ContactImportReport, report_id, seen, ContactImportReport.finished.is_(False)
    ):
        db.session.rollback()
        return
    db.session.commit()
    resumed = report.rows_done > 0  # read again after the claim: earlier jobs' batches are in
    upload_id = report.upload_id or upload_id
    upload = get_upload(upload_id) if upload_id is not None else None
    if upload is None:  # imported or cancelled meanwhile
        _end(report_id, seen + 1, "The file is no longer here: upload it again to import it")
        return
    try:
        import_rows(upload, report, attempt=seen + 1, resumed=resumed)
    except batches.Superseded:
        db.session.rollback()


def _end(report_id: int, attempt: int, summary: str) -> None:
    try:
        batches.update_if_mine(
            ContactImportReport, report_id, attempt, summary=summary, finished=True
        )
        db.session.commit()
    except batches.Superseded:
        db.session.rollback()


def import_rows(
    upload: ContactUpload,
    report: ContactImportReport | None = None,
    *,
    attempt: int | None = None,
    resumed: bool = False,
) -> ImportResult:
    """Save the good rows, IMPORT_BATCH_ROWS at a time, each batch its own short transaction
    (so the SQLite write lock is never held long enough to fail a young person's answer); then
    report the others, and delete the upload. If it stops half-way, the rows saved are saved:
    importing the same file again adds nothing twice (matching finds them) and saves the rest.
    With ``attempt`` (the job's), each batch is committed only while the import is still that
    job's (``batches.Superseded`` otherwise, and the batch is rolled back by the caller)."""
    if report is None:
        report = begin_import(upload)[0]
        db.session.commit()
    report_id, upload_id = report.id, upload.id

    def update(**values) -> None:
        if attempt is None:
            db.session.execute(
                sa.update(ContactImportReport)
                .where(ContactImportReport.id == report_id)
                .values(**values)
            )
        else:
            batches.update_if_mine(ContactImportReport, report_id, attempt, **values)

    # The preview reads every contact and takes seconds; it writes nothing, so it holds no
    # write lock (SQLite's driver begins a transaction only at the first write).
    commit_keeping_loaded()
    preview = check_rows(upload)
    saved = preview.to_save
    try:
        batches.save_in_batches(
            saved,
            _save_batch,
            lambda done, total: update(rows_done=done, rows_total=total),
        )
        result = ImportResult(
            added=preview.count("new"),
            updated=preview.count("update"),
            unchanged=preview.count("unchanged"),
            problems=len(preview.problems),
            report_id=report_id,
        )
        summary = (
            f"{result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.problems} rows left out"
        )
        if resumed:
            summary += (
                " (interrupted and taken up again: rows saved before then count as unchanged)"
            )
        update(summary=summary[:200], lines=preview.report(), finished=True, upload_id=None)
        upload = db.session.get_one(ContactUpload, upload_id)
        record(
            "contacts.import",
            object_type="ContactUpload",
            object_id=upload_id,
            detail=f"{upload.filename}: {summary}",
        )
        db.session.delete(upload)
        db.session.commit()
    except batches.Superseded:
        raise
    except Exception:
        db.session.rollback()
        stopped = "The import stopped: import the same file again to finish it"
        try:
            update(summary=stopped, finished=True)
        except batches.Superseded:
            db.session.rollback()
            raise
        db.session.commit()
        raise
    return result


def _save_batch(rows: Sequence[RowResult]) -> None:
    """Prepared in memory first (the contacts to update are those the preview loaded), so the
    write lock is held only while the batch is saved."""
    with db.session.no_autoflush:
        not_to_contact = [contact for row in rows if (contact := _save_row(row))]
    db.session.flush()
    for contact in not_to_contact:
        sync_opt_out(contact)


def _save_row(row: RowResult) -> Contact | None:
    """Apply a row to its contact (a new one or the one matched), in the session only; the
    contact if it may not be contacted (its opt-out is written once the batch is saved)."""
    contact: Contact | None
    if row.action == "new":
        contact = Contact(name=row.values["name"], name_key=name_key(row.values["name"]))
        apply_values(contact, row.values, sticky=False)
        db.session.add(contact)
    else:
        contact = db.session.get(Contact, row.contact_id)
        if contact is None:  # deleted since the preview: nothing to update
            return None
        conflicted = {c.field for c in row.conflicts}
        apply_values(
            contact,
            {
                k: v
                for k, v in row.values.items()
                if k != "name" and FIELD_LABELS.get(k, k) not in conflicted
            },
            sticky=True,
        )
        contact.updated_on = today()
    return None if contact.may_be_contacted else contact


def discard(upload: ContactUpload) -> None:
    """Delete an upload not imported; refused while a job is importing it."""
    importing = sa.select(ContactImportReport.id).where(
        ContactImportReport.upload_id == upload.id, ContactImportReport.finished.is_(False)
    )
    if db.session.scalar(importing) is not None:
        raise ImportInvalid("This file is being imported, so it cannot be cancelled now")
    db.session.delete(upload)
    db.session.commit()


def reports_to_resume(*, at_start: bool = False) -> list[int]:
    """Unfinished imports whose job was lost: all of them when a consumer starts, else those
    with no batch saved for IMPORT_STALE_MINUTES."""
    query = sa.select(ContactImportReport.id).where(
        ContactImportReport.finished.is_(False), ContactImportReport.upload_id.is_not(None)
    )
    if not at_start:
        query = query.where(ContactImportReport.progressed_at < batches.lost_before())
    return list(db.session.scalars(query.order_by(ContactImportReport.id)))


def get_upload(upload_id: int) -> ContactUpload | None:
    return db.session.get(ContactUpload, upload_id)


def get_report(report_id: int) -> ContactImportReport | None:
    return db.session.get(ContactImportReport, report_id)


def recent_reports(limit: int = 10) -> list[ContactImportReport]:
    query = sa.select(ContactImportReport).order_by(ContactImportReport.id.desc()).limit(limit)
    return list(db.session.scalars(query))


REPORT_HEADERS = ["Row", "Outcome", "Reason"]


def report_csv(lines: list[dict[str, str]]) -> bytes:
    """The report as CSV for Excel: row numbers in the file, what happened, and why."""
    return spreadsheets.to_csv(
        REPORT_HEADERS, [[line["row"], line["outcome"], line["reason"]] for line in lines]
    )
