"""Import jobs: importing an upload's rows as responses, and taking up imports a lost job left
(surveys/imports/services.py ``run_import``, which is safe to run twice and at once)."""

from __future__ import annotations

from app.core import jobs
from surveys.imports import services as imports


@jobs.task()
def import_responses(run_id: int) -> None:
    imports.run_import(run_id)


def resume_imports(*, at_start: bool = False) -> int:
    ids = imports.runs_to_resume(at_start=at_start)
    for run_id in ids:
        import_responses(run_id)
    return len(ids)


@jobs.on_consumer_start
def resume_imports_at_start() -> None:
    resume_imports(at_start=True)


@jobs.periodic_task(jobs.crontab(minute="*/5"))
def resume_stale_imports() -> None:
    """Every five minutes: imports with no progress for IMPORT_STALE_MINUTES (a consumer died
    on another machine)."""
    resume_imports()
