"""Import jobs: importing an upload's rows as responses, and taking up imports a lost job left
(surveys/imports/services.py ``run_import``, which is safe to run twice and at once)."""

from __future__ import annotations

from app.core import jobs
from surveys.imports import services as imports


@jobs.task()
def import_responses(run_id: int) -> None:
    imports.run_import(run_id)


# When a consumer starts, and every five minutes for imports with no progress for
# IMPORT_STALE_MINUTES (a consumer died on another machine).
resume_imports = jobs.take_up_lost(
    import_responses, imports.runs_to_resume, jobs.crontab(minute="*/5")
)
