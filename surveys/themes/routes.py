"""Staff pages for themes: codebook, coding queue, agreement, quotes, results and exports.

Who sees what (pinned in tests/app/test_access.py):
- Participation workers and admins: everything here, except that only a participation worker
  approves quotes.
- Peer researchers: the coding queue and the codebook (read-only), and only the piece of text
  being coded (see services.py for what they never see).
- Board members: results (counts, charts and approved quotes: no raw free text).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask import Response as HttpResponse
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.core.pages import render_page_or_partial
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.models import SurveyRound
from surveys.rounds.services import get_round
from surveys.services import rounds as all_rounds
from surveys.themes import charts, results, services
from surveys.themes.forms import (
    CodingForm,
    DeleteThemeForm,
    DoubleCodingForm,
    QuoteForm,
    ResultsFilterForm,
    ThemeForm,
)
from surveys.themes.models import Codebook, Sentiment, Theme

bp = Blueprint("themes", __name__)

WORKERS = (Role.ADMIN, Role.PARTICIPATION_WORKER)
CODERS = (*WORKERS, Role.PEER_RESEARCHER)
# Not the board: its members read themes on the board's dashboard and pack, from a snapshot that
# moves only in steps of 5 responses (app/board/snapshots.py). Live results here would let them
# difference a hidden cell out of two visits (issue 16).
RESULTS_READERS = WORKERS


def _round(round_id: int) -> SurveyRound:
    survey_round = get_round(round_id)
    if survey_round is None:
        abort(404)
    return survey_round


def _codebook(survey_round: SurveyRound) -> Codebook:
    codebook = services.codebook_for(survey_round)
    if codebook is None:
        abort(404)
    return codebook


def _is_peer() -> bool:
    return current_user.role_enum == Role.PEER_RESEARCHER


def _pass_no() -> int:
    return 2 if request.args.get("pass") == "2" else 1


# --- Rounds and codebooks ---


@bp.get("/staff/themes")
@allow(*CODERS)
def index():
    rows = []
    for survey_round in all_rounds():
        codebook = services.codebook_for(survey_round)
        progress = None
        if codebook:
            items = services.queue(survey_round, codebook, current_user)
            progress = services.progress(items, services.coded_refs(survey_round, 1))
        rows.append({"round": survey_round, "codebook": codebook, "progress": progress})
    return render_template("surveys/themes/index.html", rows=rows, confirm=ConfirmForm())


@bp.post("/staff/themes/<int:round_id>/codebook/start")
@allow(*WORKERS)
def start_codebook(round_id: int):
    survey_round = _round(round_id)
    if ConfirmForm().validate_on_submit():
        codebook = services.create_codebook(survey_round)
        flash(f"Codebook ready: {codebook.source}")
        return redirect(url_for("themes.codebook", round_id=round_id))
    return redirect(url_for("themes.index"))


@bp.get("/staff/themes/<int:round_id>/codebook")
@allow(*CODERS)
def codebook(round_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    form = DoubleCodingForm(percent=book.double_code_percent)
    return render_template(
        "surveys/themes/codebook.html",
        survey_round=survey_round,
        codebook=book,
        themes=services.themes_in_order(book),
        form=form,
        can_edit=not _is_peer(),
    )


@bp.post("/staff/themes/<int:round_id>/codebook/double-coding")
@allow(*WORKERS)
def double_coding(round_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    form = DoubleCodingForm()
    if form.validate_on_submit():
        assert form.percent.data is not None  # InputRequired and NumberRange passed
        services.set_double_coding(book, form.percent.data)
        flash(f"{form.percent.data}% of answers will be coded twice")
        return redirect(url_for("themes.codebook", round_id=round_id))
    return render_template(
        "surveys/themes/codebook.html",
        survey_round=survey_round,
        codebook=book,
        themes=services.themes_in_order(book),
        form=form,
        can_edit=True,
    )


def _theme_form(book: Codebook, form: ThemeForm, theme=None) -> ThemeForm:
    form.parent_id.choices = [(0, "Nothing: a top-level theme")] + [
        (t.id, t.name) for t in book.themes if t.parent_id is None and t is not theme
    ]
    return form


@bp.route("/staff/themes/<int:round_id>/codebook/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new_theme(round_id: int):
    return _edit_theme(round_id, None)


@bp.route("/staff/themes/<int:round_id>/codebook/<int:theme_id>", methods=["GET", "POST"])
@allow(*WORKERS)
def edit_theme(round_id: int, theme_id: int):
    return _edit_theme(round_id, theme_id)


def _edit_theme(round_id: int, theme_id: int | None):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    theme = services.get_theme(book, theme_id) if theme_id else None
    if theme_id and theme is None:
        abort(404)
    if request.method == "GET" and theme:
        form = ThemeForm(
            name=theme.name,
            description=theme.description,
            parent_id=theme.parent_id or 0,
            examples="\n".join(theme.examples),
            keywords="\n".join(theme.keywords),
        )
    else:
        form = ThemeForm()
    _theme_form(book, form, theme)
    error = None
    if form.validate_on_submit():
        try:
            services.save_theme(
                book,
                theme,
                name=form.name.data or "",
                description=form.description.data or "",
                parent_id=form.parent_id.data or None,
                examples=form.examples.data or "",
                keywords=form.keywords.data or "",
            )
        except services.ThemesError as exc:
            error = str(exc)
        else:
            flash("Theme saved")
            return redirect(url_for("themes.codebook", round_id=round_id))
    return render_template(
        "surveys/themes/theme_form.html",
        survey_round=survey_round,
        form=form,
        theme=theme,
        error=error,
    )


@bp.route("/staff/themes/<int:round_id>/codebook/<int:theme_id>/delete", methods=["GET", "POST"])
@allow(*WORKERS)
def delete_theme(round_id: int, theme_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    theme = services.get_theme(book, theme_id)
    if theme is None:
        abort(404)
    form = DeleteThemeForm()
    form.merge_into.choices = [(0, "Choose a theme")] + [
        (t.id, t.label) for t in services.themes_in_order(book) if t is not theme
    ]
    used = services.theme_use(theme)
    posted = form.validate_on_submit()
    error = _delete(book, theme, form.merge_into.data) if posted else None
    if posted and error is None:
        return redirect(url_for("themes.codebook", round_id=round_id))
    return render_template(
        "surveys/themes/theme_delete.html",
        survey_round=survey_round,
        theme=theme,
        used=used,
        form=form,
        error=error,
    )


def _delete(book: Codebook, theme: Theme, merge_into: int | None) -> str | None:
    """Delete the theme (its coding moved onto ``merge_into``'s theme, if chosen) and say so;
    the reason it was not, or None."""
    target = services.get_theme(book, merge_into) if merge_into else None
    name = theme.name
    try:
        services.delete_theme(theme, target)
    except services.ThemesError as exc:
        return str(exc)
    flash(f"'{name}' merged into '{target.name}'" if target else f"'{name}' deleted")
    return None


# --- The coding queue ---


def _second_pass(pass_no: int) -> dict[str, Any]:
    """``pass=2`` for url_for on the second pass (a Python keyword, so passed with ``**``)."""
    return {"pass": 2} if pass_no == 2 else {}


def _unit_url(round_id: int, unit, pass_no: int, question: str) -> str:
    args = _second_pass(pass_no)
    if question:
        args["question"] = question
    return url_for(
        "themes.code_unit", round_id=round_id, answer_id=unit.answer_id, part=unit.part, **args
    )


@bp.get("/staff/themes/<int:round_id>/code")
@allow(*CODERS)
def code_next(round_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    pass_no, question = _pass_no(), request.args.get("question", "")[:16]
    items = services.queue(
        survey_round, book, current_user, pass_no=pass_no, question_code=question
    )
    done = services.coded_refs(survey_round, pass_no)
    after = _ref(request.args.get("after", ""))
    unit = services.next_to_code(items, done, after)
    if unit is None:
        return render_template(
            "surveys/themes/queue_done.html",
            survey_round=survey_round,
            progress=services.progress(items, done),
            pass_no=pass_no,
            question=question,
        )
    return redirect(_unit_url(round_id, unit, pass_no, question))


def _ref(value: str) -> tuple[int, int] | None:
    answer, _, part = value.partition("-")
    return (int(answer), int(part)) if answer.isdigit() and part.isdigit() else None


@bp.route("/staff/themes/<int:round_id>/code/<int:answer_id>/<int:part>", methods=["GET", "POST"])
@allow(*CODERS)
def code_unit(round_id: int, answer_id: int, part: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    pass_no, question = _pass_no(), request.args.get("question", "")[:16]
    unit = services.get_unit(survey_round, answer_id, part, for_peer=_is_peer())
    if unit is None:
        return _unit_gone(survey_round, answer_id, part, pass_no)
    existing = services.coding_for(answer_id, part, pass_no)
    if pass_no == 2 and not services.in_sample(book, answer_id, part):
        abort(404)
    # On a GET the form shows what is stored; on a POST it reads what was posted.
    form = _coding_form(book, existing) if request.method == "GET" else _posted_form(book)
    conflict, notice, status = None, None, 200
    if form.validate_on_submit():
        saved = _save_coding(survey_round, book, unit, form, pass_no, question)
        if not isinstance(saved, tuple):
            return saved  # saved (or the answer went meanwhile): on to the next
        conflict, status = saved
    else:
        notice, status = _not_saved(book, form)
    response = _render_unit(
        survey_round,
        book,
        unit,
        form,
        pass_no,
        question,
        existing=existing,
        conflict=conflict,
        notice=notice,
    )
    response.status_code = status
    return response


def _unit_gone(survey_round: SurveyRound, answer_id: int, part: int, pass_no: int):
    """A unit this coder cannot code: deleted while they were reading it (a POST: say so, and
    move on), or never theirs to see (404)."""
    if request.method == "POST" and services.get_unit(survey_round, answer_id, part) is None:
        flash("This answer has been deleted, so it cannot be coded. Here is the next one.")
        return redirect(
            url_for("themes.code_next", round_id=survey_round.id, **_second_pass(pass_no))
        )
    abort(404)


def _save_coding(
    survey_round: SurveyRound,
    book: Codebook,
    unit: services.Unit,
    form: CodingForm,
    pass_no: int,
    question: str,
):
    """Save a valid coding form: the next page (a response), or (the coding someone else saved
    meanwhile, or None if the form has an error to put right, and the status to show it with)."""
    try:
        services.save_coding(
            survey_round,
            book,
            answer_id=unit.answer_id,
            part=unit.part,
            pass_no=pass_no,
            theme_ids=form.themes.data or [],
            sentiment=form.sentiment.data or None,
            notable=bool(form.notable.data),
            seen_version=form.seen_version(),
            coder=current_user._get_current_object(),
        )
    except services.CodingConflict as exc:
        form.version.data = str(exc.current.version)
        return exc.current, 409
    except services.AnswerGone as exc:
        flash(str(exc))
        return redirect(
            url_for("themes.code_next", round_id=survey_round.id, **_second_pass(pass_no))
        )
    except services.CodingInvalid as exc:
        form.themes.errors = [*form.themes.errors, str(exc)]
        return None, 200
    return _after_save(survey_round, book, unit, pass_no, question)


def _not_saved(book: Codebook, form: CodingForm) -> tuple[str | None, int]:
    """(the notice, the status) of a form shown without saving: a POST that did not validate
    (400), or the page after a save ("Saved.")."""
    if request.method == "POST":
        # A ticked theme deleted or merged meanwhile: name it, rather than "choose from the list".
        if gone := services.removed_themes_message(book, form.themes.data or []):
            form.themes.errors = [gone]
        return None, 400
    return ("Saved." if request.args.get("saved") else None), 200


def _coding_form(book: Codebook, existing) -> CodingForm:
    """The form for an answer as stored: its coding, or empty. Never read from the request, so
    the answer shown after a save does not inherit the ticks posted for the one before."""
    if existing is not None:
        form = CodingForm.blank(
            themes=[t.id for t in existing.themes],
            sentiment=existing.sentiment or "",
            notable=existing.notable,
            version=str(existing.version),
        )
    else:
        form = CodingForm.blank()
    return _with_themes(book, form)


def _posted_form(book: Codebook) -> CodingForm:
    return _with_themes(book, CodingForm())


def _with_themes(book: Codebook, form: CodingForm) -> CodingForm:
    form.themes.choices = [(t.id, t.label) for t in services.themes_in_order(book)]
    return form


def _after_save(survey_round, book, unit, pass_no: int, question: str):
    items = services.queue(
        survey_round, book, current_user, pass_no=pass_no, question_code=question
    )
    done = services.coded_refs(survey_round, pass_no)
    following = services.next_to_code(items, done, unit.ref)
    if following is None:
        target = url_for(
            "themes.code_next",
            round_id=survey_round.id,
            question=question or None,
            **_second_pass(pass_no),
        )
    else:
        target = _unit_url(survey_round.id, following, pass_no, question)
    htmx = getattr(request, "htmx", None)
    if htmx and following is not None:
        # next_to_code gives an uncoded answer: its form starts empty, whatever was just posted.
        response = _render_unit(
            survey_round,
            book,
            following,
            _coding_form(book, None),
            pass_no,
            question,
            existing=None,
            notice="Saved. Here is the next answer.",
            queued=(items, done),
        )
        response.headers["HX-Push-Url"] = target
        return response
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    flash("Saved. Here is the next answer.")
    return redirect(target)


def _render_unit(
    survey_round,
    book,
    unit,
    form,
    pass_no,
    question,
    *,
    existing,
    conflict=None,
    notice=None,
    queued=None,
):
    items, done = queued or (
        services.queue(survey_round, book, current_user, pass_no=pass_no, question_code=question),
        services.coded_refs(survey_round, pass_no),
    )
    previous = services.neighbour(items, unit.ref, -1)
    suggestions = services.suggest(survey_round, book, unit.text, pass_no=pass_no)
    theme_ids = {t.id: t for t in book.themes}
    by_key = {t.key: t for t in book.themes}
    return render_page_or_partial(
        "surveys/themes/code.html",
        "surveys/themes/_partials/coding_unit.html",
        survey_round=survey_round,
        codebook=book,
        unit=unit,
        unit_url=_unit_url(survey_round.id, unit, pass_no, question),
        form=form,
        pass_no=pass_no,
        question=question,
        existing=existing,
        conflict=conflict,
        notice=notice,
        suggestions=[(s, by_key[s.key]) for s in suggestions[:5] if s.key in by_key],
        theme_ids=theme_ids,
        progress=services.progress(items, done),
        position=_position(items, unit),
        total=len(items),
        previous_url=_unit_url(survey_round.id, previous, pass_no, question) if previous else None,
        skip_url=url_for(
            "themes.code_next",
            round_id=survey_round.id,
            after=f"{unit.answer_id}-{unit.part}",
            question=question or None,
            **_second_pass(pass_no),
        ),
        is_peer=_is_peer(),
        sentiments=list(Sentiment),
    )


def _position(items, unit) -> int | None:
    refs = [u.ref for u in items]
    return refs.index(unit.ref) + 1 if unit.ref in refs else None


# --- Agreement ---


@bp.get("/staff/themes/<int:round_id>/agreement")
@allow(*WORKERS)
def agreement(round_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    return render_template(
        "surveys/themes/agreement.html",
        survey_round=survey_round,
        codebook=book,
        report=services.agreement_report(survey_round, book),
    )


# --- Quotes ---


@bp.get("/staff/themes/<int:round_id>/quotes")
@allow(*WORKERS)
def quotes(round_id: int):
    survey_round = _round(round_id)
    _codebook(survey_round)
    return render_template(
        "surveys/themes/quotes.html",
        survey_round=survey_round,
        candidates=services.quote_candidates(survey_round),
        can_approve=current_user.role_enum == Role.PARTICIPATION_WORKER,
    )


@bp.route("/staff/themes/<int:round_id>/quotes/<int:answer_id>/<int:part>", methods=["GET", "POST"])
@allow(Role.PARTICIPATION_WORKER)
def quote(round_id: int, answer_id: int, part: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    unit = services.get_unit(survey_round, answer_id, part)
    if unit is None:
        abort(404)
    proposal = services.propose_redaction(unit.text)
    existing = services.approved_quote_for(answer_id, part)
    form = _quote_form(book, unit, existing, proposal.redacted)
    posted = form.validate_on_submit()
    error = _approve(survey_round, book, unit, form) if posted else None
    if posted and error is None:
        flash("Quote approved")
        return redirect(url_for("themes.quotes", round_id=round_id))
    return render_template(
        "surveys/themes/quote.html",
        survey_round=survey_round,
        unit=unit,
        proposal=proposal,
        form=form,
        error=error,
        existing=existing,
        withdraw=ConfirmForm(),
    )


def _approve(survey_round: SurveyRound, book: Codebook, unit: services.Unit, form) -> str | None:
    """Approve the posted quote; the reason it was not, or None."""
    try:
        services.approve_quote(
            survey_round,
            unit,
            text=form.text.data or "",
            audience=form.audience.data,
            theme=services.get_theme(book, form.theme_id.data) if form.theme_id.data else None,
            approver=current_user._get_current_object(),
        )
    except services.ThemesError as exc:
        return str(exc)
    return None


def _quote_form(book: Codebook, unit: services.Unit, existing, redacted: str) -> QuoteForm:
    """On a GET, the quote approved before, or the proposed redaction under the answer's first
    theme; on a POST, what was posted. Its theme choices are the codebook's."""
    if request.method == "GET":
        coding = services.coding_for(unit.answer_id, unit.part)
        first_theme = coding.themes[0].id if coding and coding.themes else 0
        form = QuoteForm(
            text=existing.text if existing else redacted,
            audience=existing.audience if existing else "board",
            theme_id=existing.theme_id if existing else first_theme,
        )
    else:
        form = QuoteForm()
    form.theme_id.choices = [(0, "None")] + [
        (t.id, t.label) for t in services.themes_in_order(book)
    ]
    return form


@bp.post("/staff/themes/<int:round_id>/quotes/<int:answer_id>/<int:part>/withdraw")
@allow(Role.PARTICIPATION_WORKER)
def withdraw_quote(round_id: int, answer_id: int, part: int):
    _round(round_id)
    existing = services.approved_quote_for(answer_id, part)
    if existing is None or existing.round_id != round_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.withdraw_quote(existing, current_user._get_current_object())
        flash("Quote withdrawn")
    return redirect(url_for("themes.quotes", round_id=round_id))


# --- Results and exports ---


def _results(round_id: int):
    survey_round = _round(round_id)
    book = _codebook(survey_round)
    form = ResultsFilterForm(request.args)
    form.question.choices = results.question_choices(survey_round)
    codes = {value for value, _ in form.question.choices}
    question = form.question.data if form.question.data in codes else ""
    return survey_round, form, results.theme_results(survey_round, book, question)


@bp.get("/staff/themes/<int:round_id>/results")
@allow(*RESULTS_READERS)
def results_page(round_id: int):
    survey_round, form, found = _results(round_id)
    return render_page_or_partial(
        "surveys/themes/results.html",
        "surveys/themes/_partials/results.html",
        survey_round=survey_round,
        form=form,
        results=found,
        alt=charts.alt_text(found),
        can_export=current_user.role_enum != Role.BOARD_MEMBER,
    )


@bp.get("/staff/themes/<int:round_id>/chart.svg")
@allow(*RESULTS_READERS)
def chart(round_id: int):
    _, _, found = _results(round_id)
    response = HttpResponse(charts.theme_chart_svg(found), mimetype="image/svg+xml")
    response.vary.add("Cookie")
    return response


@bp.get("/staff/themes/<int:round_id>/export.<any(csv, xlsx):kind>")
@allow(*WORKERS)
def export(round_id: int, kind: str):
    survey_round = _round(round_id)
    _codebook(survey_round)
    filename = f"{survey_round.slug}-coded-answers.{kind}"
    if kind == "csv":  # streamed a line at a time, so a big round needs no memory
        return HttpResponse(
            stream_with_context(services.export_coded_csv(survey_round)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return send_file(  # a temporary file, deleted when the response closes
        services.export_coded_xlsx_file(survey_round),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )
