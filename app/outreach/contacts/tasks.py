"""Contact jobs: importing a contacts file in batches (app/outreach/contacts/importing.py)."""

from __future__ import annotations

from app.core import jobs
from app.core.extensions import db
from app.outreach.contacts import importing
from app.outreach.contacts.models import ContactImportReport


@jobs.task()
def import_contacts(upload_id: int, report_id: int) -> None:
    """Import the upload's rows into the report begun for it (safe to run twice: a second run
    finds the upload gone, or matches the rows the first one saved)."""
    upload = importing.get_upload(upload_id)
    report = db.session.get(ContactImportReport, report_id)
    if upload is None or report is None or report.finished:
        return
    importing.import_rows(upload, report)
