"""Importing responses collected elsewhere: read a CSV or XLSX file, map its columns to
questions and its answers to options, check every row, then add the rows to a round as
responses with channel "import".

Decisions a newcomer might otherwise undo:
- The column names Belonging's own export uses (Q1, Q2, Q2_other, Q4_1 ...; see
  surveys/rounds/services.py) are the targets a column maps to, so an export re-imports with
  no mapping at all, and exported labels ("Female", "Not sure", "Skipped") map back to options.
  The apostrophe that ``spreadsheet_safe`` puts before a formula-like cell is taken off again.
- Every value goes through ``surveys.engine.validate``; rows are then stored IMPORT_BATCH_ROWS
  per transaction (``app.core.batches``, as the contacts import does; not one commit per
  answer as the web channel does), so 10,000 rows take seconds and never hold SQLite's write
  lock for long. Free text
  is screened with the same safeguarding rules; a match raises a flag as it would on the web.
- A file is all-or-nothing unless the user chooses "import valid rows only". Row numbers in
  messages are the file's own (the header is row 1), so people can find the row in Excel.
- Mappings are remembered per questionnaire and header signature (ImportMapping).
- The import itself is a job (``run_import``, queued by the preview page) that records its
  progress in an ``ImportRun``, so a large file never waits on a request's timeout. The run's
  ``attempt`` fences the job: a second job for the same run (a retry, or a consumer restarted
  while the first was only slow) takes a new number, and a batch is committed only together
  with a progress update that still names its own job's number, so the slower one stops and
  no row is added twice.
- Responses keep no date (surveys/models.py). A file's "Date started"/"Date finished" columns
  can still be mapped: the finish date (else today) works out an age from a date of birth, and
  is then dropped; the rows count towards the round's tally on the day they are imported.
- Idempotent by content: a row whose answers (every question, skipped and not asked alike, no
  dates) are the same as a response already in the round is "already in the round" and not
  added again; n identical rows match n such responses, so a file imported twice adds nothing
  and a row from Belonging's own export is recognised whatever its channel. The cost: a new
  response with exactly the answers of an earlier one is taken for it; the preview says how
  many rows it recognised, so a worker can see it. Nothing extra is stored: the digest is
  worked out from the answers each time (``content_key``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.core import batches, mapping, spreadsheets
from app.core.clock import today
from app.core.extensions import db, insert_once
from app.core.spreadsheets import TableInvalid, signature
from app.staff.audit.services import record
from surveys import engine
from surveys.engine import YES_NO_UNSURE, AnswerInvalid
from surveys.imports.models import (
    UNFINISHED,
    ImportMapping,
    ImportRun,
    ImportUpload,
    RunState,
)
from surveys.models import Answer, Channel, Question, QuestionKind, Response, SurveyRound
from surveys.rounds.services import SKIPPED
from surveys.safeguarding import screening
from surveys.safeguarding.services import active_rules, screen_answer

MAX_ROWS = 50_000
MAX_DISTINCT = 40  # different answers in one choice column we offer to map by hand
SKIP_VALUE = "__skip__"  # a file value mapped to "the person skipped this question"
DATE_COLUMNS = {"started_on": "Date started", "completed_on": "Date finished"}
MAX_ERRORS_SHOWN = 200


class ImportInvalid(Exception):
    """The file cannot be imported as it is; the message says what to change."""


# --- Reading the file ------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of text from a CSV or XLSX file, or ImportInvalid saying why not."""
    try:
        return spreadsheets.read_table(filename, data, max_rows=MAX_ROWS)
    except TableInvalid as exc:
        raise ImportInvalid(str(exc)) from None


# --- Mapping columns and values ------------------------------------------------------------------


def targets(survey_round: SurveyRound) -> list[tuple[str, str]]:
    """What a column can hold: ("Q2", "Q2 What stage ..."), ("Q2_other", ...), dates."""
    found = [("", "Do not import this column")]
    found += [(key, label) for key, label in DATE_COLUMNS.items()]
    for q in survey_round.questions:
        wording = q.web_text[:70]
        if q.kind_enum == QuestionKind.SHORT_ITEMS:
            found += [
                (f"{q.code}_{n}", f"{q.code} item {n}: {wording}")
                for n in range(1, max(q.max_items, 3) + 1)
            ]
            continue
        found.append((q.code, f"{q.code}: {wording}"))
        if any(o.get("other") for o in q.options or []):
            found.append((f"{q.code}_other", f"{q.code} 'other' words"))
    return found


def auto_columns(survey_round: SurveyRound, headers: list[str]) -> dict[str, str]:
    return mapping.guess_columns(headers, [key for key, _ in targets(survey_round)])


def start_upload(survey_round: SurveyRound, filename: str, data: bytes) -> ImportUpload:
    headers, rows = read_table(filename, data)
    sig = signature(headers)
    remembered = db.session.scalar(
        sa.select(ImportMapping).where(
            ImportMapping.questionnaire_id == survey_round.questionnaire_id,
            ImportMapping.signature == sig,
        )
    )
    columns = mapping.with_remembered(
        auto_columns(survey_round, headers), remembered.columns if remembered else None
    )
    values: dict[str, dict[str, str]] = remembered.values if remembered else {}
    upload = ImportUpload(
        round_id=survey_round.id,
        filename=(filename or "upload")[-200:],
        signature=sig,
        headers=headers,
        rows=rows,
        columns=columns,
        values=values,
    )
    db.session.add(upload)
    record("responses.upload", survey_round, detail=f"{upload.filename}: {len(rows)} rows")
    db.session.commit()
    return upload


def _questions(survey_round: SurveyRound) -> dict[str, Question]:
    return {q.code: q for q in survey_round.questions}


def _choice_question(survey_round: SurveyRound, target: str) -> Question | None:
    q = _questions(survey_round).get(target)
    if q and q.kind_enum in (
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTI_CHOICE,
        QuestionKind.YES_NO_UNSURE,
    ):
        return q
    return None


def choice_keys(question: Question) -> dict[str, str]:
    """Text a file may hold for each option (its value, its label, case-insensitive)."""
    if question.kind_enum == QuestionKind.YES_NO_UNSURE:
        keys = {k: k for k in YES_NO_UNSURE} | {v.lower(): k for k, v in YES_NO_UNSURE.items()}
        return keys | {"y": "yes", "n": "no", "not_sure": "not_sure", "unsure": "not_sure"}
    keys = {}
    for o in question.options or []:
        keys[o["label"].strip().lower()] = o["value"]
        keys[str(o["value"]).lower()] = o["value"]
    return keys


def _pieces(question: Question, text: str) -> list[str]:
    if question.kind_enum == QuestionKind.MULTI_CHOICE:
        return [p.strip() for p in text.split(";") if p.strip()]
    return [text.strip()]


def unknown_values(upload: ImportUpload, survey_round: SurveyRound) -> dict[str, list[str]]:
    """For each choice column, the file's answers that match no option by value or label."""
    found: dict[str, list[str]] = {}
    for index, header in enumerate(upload.headers):
        question = _choice_question(survey_round, upload.columns.get(header, ""))
        if question is None:
            continue
        keys = choice_keys(question)
        distinct: set[str] = set()
        for row in upload.rows:
            cell = row[index]
            if cell and cell != SKIPPED:
                distinct.update(p for p in _pieces(question, cell) if p.lower() not in keys)
        if distinct:
            found[header] = sorted(distinct)[:MAX_DISTINCT]
    return found


def save_mapping(
    upload: ImportUpload,
    survey_round: SurveyRound,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
) -> None:
    problem = mapping.column_problem(
        columns,
        [key for key, _ in targets(survey_round)],
        lambda target: f"Two columns are mapped to {target}. Map each question once",
    )
    if problem:
        raise ImportInvalid(problem)
    chosen = [t for t in columns.values() if t]
    if not any(t in _questions(survey_round) or "_" in t for t in chosen if t):
        raise ImportInvalid("Map at least one column to a question")
    upload.columns = mapping.mapped_columns(upload.headers, columns)
    upload.values = {h: {k: v for k, v in vs.items() if v} for h, vs in values.items()}
    remembered = db.session.scalar(
        sa.select(ImportMapping).where(
            ImportMapping.questionnaire_id == survey_round.questionnaire_id,
            ImportMapping.signature == upload.signature,
        )
    )
    if remembered is None:
        remembered = ImportMapping(
            questionnaire_id=survey_round.questionnaire_id, signature=upload.signature
        )
        db.session.add(remembered)
    remembered.columns, remembered.values = dict(upload.columns), dict(upload.values)
    db.session.commit()


# --- Checking rows -------------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the row number in the file (the header is row 1)
    answers: dict[str, dict | None]
    started_on: date
    completed_on: date


@dataclass
class Preview:
    total: int
    valid: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_rows: int = 0
    already: list[int] = field(default_factory=list)  # row numbers already in the round

    @property
    def shown_errors(self) -> list[str]:
        return self.errors[:MAX_ERRORS_SHOWN]


def _date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _choice(question: Question, header: str, text: str, upload: ImportUpload) -> list[str]:
    keys = choice_keys(question)
    mapped = upload.values.get(header, {})
    chosen = []
    for piece in _pieces(question, text):
        value = keys.get(piece.lower()) or mapped.get(piece)
        if value is None:
            raise AnswerInvalid(
                f"'{piece[:60]}' is not one of the answers to {question.code}. Map it to an "
                "answer on the mapping page"
            )
        if value != SKIP_VALUE:
            chosen.append(value)
    return chosen


def _row_answers(
    questions: list[Question], cells: dict[str, tuple[str, str]], upload: ImportUpload, on: date
) -> tuple[dict[str, dict | None], list[str]]:
    """Answers by question code for one row, and messages for the cells that are wrong."""
    answers: dict[str, dict | None] = {}
    problems: list[str] = []
    for q in questions:
        code = q.code
        own = {t: v for t, v in cells.items() if t == code or t.startswith(f"{code}_")}
        if not own:
            continue
        texts = {t: v[1] for t, v in own.items()}
        main = texts.get(code, texts.get(f"{code}_1", ""))
        header = own.get(code, own.get(f"{code}_1", ("", "")))[0] or code
        if main == SKIPPED:
            answers[code] = None
            continue
        try:
            answers[code] = _value(q, header, texts, upload, on)
        except (AnswerInvalid, ValueError) as exc:
            problems.append(f"column {header}: {exc}")
    return answers, problems


def _value(q: Question, header: str, texts: dict[str, str], upload: ImportUpload, on: date):
    kind = q.kind_enum
    code = q.code
    if kind == QuestionKind.SHORT_ITEMS:
        items = [texts[k] for k in sorted(texts, key=lambda t: int(t.rsplit("_", 1)[1]))]
        return engine.validate(q, {"items": items}) if any(items) else None
    main, other = texts.get(code, ""), texts.get(f"{code}_other", "")
    if not main:
        if other:
            raise AnswerInvalid(f"there are 'other' words for {code} but no answer")
        return None
    if kind == QuestionKind.DATE_OF_BIRTH:
        if main.isdigit():
            return engine.validate(q, {"age": int(main)})
        born = _date(main)
        if born is None:
            raise AnswerInvalid(f"'{main[:20]}' is not an age or a date like 2004-02-14")
        return {
            "age": engine.parse_date_of_birth(str(born.day), str(born.month), str(born.year), on=on)
        }
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO_UNSURE):
        chosen = _choice(q, header, main, upload)
        if not chosen:
            return None
        if len(chosen) > 1:
            raise AnswerInvalid(f"{code} takes one answer")
        return engine.validate(q, {"choice": chosen[0], "other": other})
    if kind == QuestionKind.MULTI_CHOICE:
        chosen = _choice(q, header, main, upload)
        return engine.validate(q, {"choices": chosen, "other": other}) if chosen else None
    if kind == QuestionKind.SCALE:
        return engine.validate(q, {"score": main})
    return engine.validate(q, {"text": main})


def check_rows(upload: ImportUpload, survey_round: SurveyRound) -> Preview:
    questions = list(survey_round.questions)
    mapped = [(i, h, upload.columns.get(h, "")) for i, h in enumerate(upload.headers)]
    mapped = [(i, h, t) for i, h, t in mapped if t]
    preview = Preview(total=len(upload.rows))
    in_round = _keys_in_round(survey_round, questions)
    on = today()
    for offset, row in enumerate(upload.rows):
        number = offset + 2
        if not any(row):
            continue  # a blank line in the middle of a file is not a response
        cells = {t: (h, row[i]) for i, h, t in mapped if t not in DATE_COLUMNS}
        started = _date(row[i]) if (i := _index(mapped, "started_on")) is not None else None
        completed = _date(row[i]) if (i := _index(mapped, "completed_on")) is not None else None
        completed = completed or started or on
        started = min(started or completed, completed)
        answers, problems = _row_answers(questions, cells, upload, completed)
        if not problems and all(v is None for v in answers.values()):
            problems.append("every answer is blank or skipped")
        if problems:
            preview.error_rows += 1
            preview.errors.extend(f"Row {number}, {p}" for p in problems)
            continue
        key = content_key(questions, answers)
        if in_round[key] > 0:
            in_round[key] -= 1
            preview.already.append(number)
            continue
        preview.valid.append(Row(number, answers, started, completed))
    return preview


def content_key(questions: list[Question], answers: dict[str, dict | None]) -> str:
    """What a response says, as a digest: the answer to every question, None when skipped or
    not asked. Dates and channel are left out, so an exported row matches its response."""
    canonical = {q.code: answers.get(q.code) for q in questions}
    text = json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _keys_in_round(survey_round: SurveyRound, questions: list[Question]) -> Counter[str]:
    """How many complete responses in the round say each thing (by ``content_key``)."""
    code_of = {q.id: q.code for q in questions}
    rows = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.skipped)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == survey_round.id, Response.status == "complete")
    ).all()
    by_response: dict[int, dict[str, dict | None]] = {}
    for response_id, question_id, value, skipped in rows:
        code = code_of.get(question_id)
        if code is not None:
            by_response.setdefault(response_id, {})[code] = None if skipped else value
    return Counter(content_key(questions, answers) for answers in by_response.values())


def _index(mapped: list[tuple[int, str, str]], target: str) -> int | None:
    return next((i for i, _h, t in mapped if t == target), None)


# --- Importing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped_rows: int
    flagged: int


def import_rows(
    upload: ImportUpload,
    survey_round: SurveyRound,
    *,
    valid_only: bool,
    run: RunAttempt | None = None,
) -> ImportResult:
    """Add the checked rows as responses (channel "import"); all or nothing unless valid_only.
    With ``run`` (the job's), each batch is committed with the run's progress, and only while
    the attempt is still the job's own (``batches.Superseded`` otherwise)."""
    preview = check_rows(upload, survey_round)
    earlier = run.earlier if run is not None else 0
    if preview.errors and not valid_only:
        raise ImportInvalid(
            f"{preview.error_rows} {'row has' if preview.error_rows == 1 else 'rows have'} "
            "problems, so nothing was imported. Fix the file, or choose to import the valid "
            "rows only"
        )
    if not preview.valid and preview.already and not earlier:
        raise ImportInvalid(
            "Every row in this file is already in the round, so nothing was imported"
        )
    if not preview.valid and not earlier:
        raise ImportInvalid("No row can be imported. Check the mapping and the file")
    questions = list(survey_round.questions)
    rules = active_rules()
    flagged = 0

    def save(rows: Sequence[Row]) -> None:
        nonlocal flagged
        to_screen: list[tuple[Answer, list[str]]] = []
        saved: list[Response] = []
        for row in rows:
            response = Response(
                round_id=survey_round.id,
                channel=Channel.IMPORT.value,
                assisted=False,
                status="complete",
            )
            for q in questions:
                if q.code not in row.answers:
                    continue  # the file had no column for this question: not asked
                value = row.answers[q.code]
                answer = Answer(question_id=q.id, skipped=value is None, value=value)
                response.answers.append(answer)
                texts = engine.free_text(value)
                if texts and any(screening.screen(t, rules).matches for t in texts):
                    to_screen.append((answer, texts))
            db.session.add(response)
            saved.append(response)
        db.session.flush()
        for answer, texts in to_screen:
            screen_answer(answer, texts)
        db.session.flush()
        flagged += len(to_screen)
        for response in saved:  # saved: memory stays one batch's
            for answer in response.answers:
                db.session.expunge(answer)
            db.session.expunge(response)

    # In batches (app/core/batches.py), so a large file never holds SQLite's write lock long
    # enough to fail a young person's answer. A file stopped half-way is finished by importing
    # it again: the rows already in the round are recognised by their content.
    progress: Callable[[int, int], None] = lambda _done, _total: None  # noqa: E731
    if run is not None:
        job = run
        progress = lambda done, total: _update_run(  # noqa: E731
            job, rows_done=earlier + done, rows_total=earlier + total
        )
    batches.save_in_batches(preview.valid, save, progress)
    # Rows an earlier attempt of the run saved are this import's too, not "already there".
    result = ImportResult(earlier + len(preview.valid), preview.error_rows, flagged)
    already = len(preview.already) - earlier
    if run is not None:
        _update_run(
            run,
            state=RunState.DONE.value,
            upload_id=None,
            imported=result.imported,
            left_out=result.skipped_rows,
            flagged=result.flagged,
            message=done_message(result, already, survey_round),
        )
    record(
        "responses.import",
        survey_round,
        detail=(
            f"{upload.filename}: {result.imported} imported, {already} already "
            f"in the round, {preview.error_rows} rows left out"
        ),
    )
    db.session.delete(upload)
    db.session.commit()
    return result


def done_message(result: ImportResult, already: int, survey_round: SurveyRound) -> str:
    parts = [f"Imported {result.imported} responses into {survey_round.name}"]
    if result.skipped_rows:
        parts.append(f"{result.skipped_rows} rows with problems were left out")
    if already:
        parts.append(f"{already} rows were already in the round and were not added again")
    return ". ".join(parts)


# --- Import runs: the job and its progress ---------------------------------------------------


@dataclass(frozen=True)
class RunAttempt:
    """One job's hold on an import run: ``earlier`` rows were saved by attempts before it."""

    run_id: int
    attempt: int
    earlier: int = 0


def begin_import(upload: ImportUpload, *, valid_only: bool) -> tuple[ImportRun, bool]:
    """The run the job fills in, and whether it is new (the caller then commits and queues
    ``tasks.import_responses``). The same upload sent twice (a double click) gives the run
    already begun, not new; another file for a round whose import has not finished is refused,
    since both would be checked against the round before either saved, and the same answers
    could go in twice. The database holds that rule (one unfinished run per round, a partial
    unique index), so two clicks at the same moment, each finding no run yet, make one."""
    row = {
        "round_id": upload.round_id,
        "upload_id": upload.id,
        "filename": upload.filename,
        "valid_only": valid_only,
        "state": RunState.WAITING.value,
        "rows_total": len(upload.rows),
    }
    busy, new = insert_once(ImportRun, row, "round_id", lambda: _unfinished_run(upload.round_id))
    if new or busy.upload_id == upload.id:
        return busy, new
    raise ImportInvalid(
        f"The import of {busy.filename} into this round has not finished yet. Import this "
        "file when it has"
    )


def _unfinished_run(round_id: int) -> ImportRun | None:
    return db.session.scalars(
        sa.select(ImportRun).where(ImportRun.round_id == round_id, ImportRun.state.in_(UNFINISHED))
    ).first()


def run_import(run_id: int) -> None:
    """The job: take the run (a new attempt), import its upload's rows, record the outcome.
    Safe to run twice, and at once: the later job's attempt wins and the earlier one stops."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.is_finished:
        return
    attempt = run.attempt + 1
    taken = batches.take_over(
        ImportRun,
        run_id,
        run.attempt,
        ImportRun.state.in_(UNFINISHED),
        state=RunState.IMPORTING.value,
    )
    db.session.commit()
    if not taken:
        return  # another job took it between the read and the update
    upload = get_upload(run.upload_id) if run.upload_id is not None else None
    survey_round = db.session.get(SurveyRound, run.round_id)
    try:
        if upload is None or survey_round is None:
            raise ImportInvalid(
                "The uploaded file is no longer here (it was imported or cancelled). Upload it "
                "again to import it"
            )
        # The commit expired ``run``: its rows saved are read after the claim, so they are all
        # that earlier attempts will ever have saved.
        job = RunAttempt(run_id, attempt, earlier=run.rows_done)
        import_rows(upload, survey_round, valid_only=run.valid_only, run=job)
    except batches.Superseded:
        db.session.rollback()
    except ImportInvalid as exc:
        db.session.rollback()
        _end_run(RunAttempt(run_id, attempt), RunState.REFUSED, str(exc))
    except Exception:
        db.session.rollback()
        _end_run(
            RunAttempt(run_id, attempt),
            RunState.STOPPED,
            "The import stopped part-way. Import the same file again to finish it: the rows "
            "already saved are recognised and not added twice",
        )
        raise


def _end_run(job: RunAttempt, state: RunState, message: str) -> None:
    try:
        _update_run(job, state=state.value, message=message[:400])
        db.session.commit()
    except batches.Superseded:
        db.session.rollback()


def _update_run(job: RunAttempt, **values) -> None:
    batches.update_if_mine(ImportRun, job.run_id, job.attempt, **values)


def runs_to_resume(*, at_start: bool = False) -> list[int]:
    """Unfinished runs whose job was lost: all of them when a consumer starts (its own jobs
    died with it; one still alive elsewhere just gives way), else those with no progress for
    IMPORT_STALE_MINUTES."""
    query = sa.select(ImportRun.id).where(ImportRun.state.in_(UNFINISHED))
    if not at_start:
        query = query.where(ImportRun.progressed_at < batches.lost_before())
    return list(db.session.scalars(query.order_by(ImportRun.id)))


def get_run(run_id: int) -> ImportRun | None:
    return db.session.get(ImportRun, run_id)


def discard(upload: ImportUpload) -> None:
    """Delete an upload not imported; refused while a job is importing it."""
    importing = sa.select(ImportRun.id).where(
        ImportRun.upload_id == upload.id, ImportRun.state.in_(UNFINISHED)
    )
    if db.session.scalar(importing) is not None:
        raise ImportInvalid("This file is being imported, so it cannot be cancelled now")
    db.session.delete(upload)
    db.session.commit()


def get_upload(upload_id: int) -> ImportUpload | None:
    return db.session.get(ImportUpload, upload_id)
