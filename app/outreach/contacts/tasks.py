"""Contact jobs: importing a contacts file in batches (app/outreach/contacts/importing.py), and
taking up imports whose job was lost (``run_import`` is safe to run twice, and at once)."""

from __future__ import annotations

from app.core import jobs
from app.outreach.contacts import importing


@jobs.task()
def import_contacts(*ids: int) -> None:
    """Import the rows of the upload the report was begun for: ``(report_id)``, or
    ``(upload_id, report_id)`` from a task queued before the report named its upload."""
    importing.run_import(ids[-1], upload_id=ids[0] if len(ids) == 2 else None)


# When a consumer starts, and every five minutes for imports with no batch saved for
# IMPORT_STALE_MINUTES (a consumer died on another machine).
resume_imports = jobs.take_up_lost(
    import_contacts, importing.reports_to_resume, jobs.crontab(minute="*/5")
)
