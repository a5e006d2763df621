"""The public survey pages. Routes translate between the browser and the survey engine."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from app.core import languages
from app.core.extensions import configured_limit, limiter, reading_only
from app.staff.auth.access import public
from surveys import easy_read, engine
from surveys.engine import AnswerInvalid, SurveyClosed, UnknownQuestion
from surveys.models import QuestionKind, SurveyRound
from surveys.web import services as web
from surveys.web.forms import ContactRequestForm, ResumeForm, raw_answer, typed_words

bp = Blueprint("survey", __name__)
limiter.limit(configured_limit("SURVEY_POST_RATE_LIMIT"), methods=["POST"])(bp)
bp.add_app_template_global(easy_read.picture, "easy_read_picture")
bp.add_app_template_filter(easy_read.lines, "lines")


@limiter.request_filter
def _survey_reads_unlimited() -> bool:
    """Every limit on the survey pages is on a POST (answers, resume codes): a page read skips
    the limiter's per-request work. A limit on a GET here would need this filter changed."""
    return request.blueprint == bp.name and request.method in ("GET", "HEAD")


@bp.after_request
def _no_store(response):
    """Survey pages hold a person's answers or codes: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _round(slug: str) -> SurveyRound:
    if request.method == "GET":  # survey pages write only when a person sends something
        reading_only()
    survey_round = web.open_round(slug)
    if survey_round is None or survey_round.status == "draft":
        abort(404)
    return survey_round


def _closed(survey_round: SurveyRound):
    return render_template("surveys/web/closed.html", survey_round=survey_round), 410


@bp.get("/s/<slug>")
@public
def start(slug: str):
    survey_round = _round(slug)
    if "lang" in request.args:  # a language link: keep the choice, show a clean address
        languages.choose(request.args["lang"])
        return redirect(url_for("survey.start", slug=slug))
    if not survey_round.is_open:
        return _closed(survey_round)
    return render_template(
        "surveys/web/start.html",
        survey_round=survey_round,
        in_progress=web.current_response(survey_round) is not None,
        wording=web.questionnaire_wording(survey_round),
    )


@bp.post("/s/<slug>/start")
@public
def begin(slug: str):
    survey_round = _round(slug)
    try:
        response = web.begin(survey_round)
    except SurveyClosed:
        return _closed(survey_round)
    question = engine.next_question(response)
    if question is None:
        return redirect(url_for("survey.check", slug=slug))
    return redirect(url_for("survey.question", slug=slug, code=question.code))


def _response_or_start(survey_round: SurveyRound):
    response = web.current_response(survey_round)
    if response is None:
        return None, redirect(url_for("survey.start", slug=survey_round.slug))
    return response, None


@bp.route("/s/<slug>/q/<code>", methods=["GET", "POST"])
@public
def question(slug: str, code: str):
    survey_round = _round(slug)
    if not survey_round.is_open:
        return _closed_after(survey_round, request.form)
    response, away = _response_or_start(survey_round)
    if away:
        return away
    try:
        current = engine.question_by_code(response, code)
    except UnknownQuestion:
        abort(404)
    changing = request.args.get("change") == "1"
    error, gentle = None, False
    if request.method == "POST":
        saved = _save_posted(survey_round, response, current, changing)
        if not isinstance(saved, tuple):
            return saved  # on to the next page (or help, a notice, the closed page)
        error, gentle = saved
    page = _question_page(survey_round, response, current, changing, error, gentle)
    return page, 400 if error else 200


def _save_posted(survey_round: SurveyRound, response, current, changing: bool):
    """Save the posted answer (or skip): the page to go to next, or (the error to show on the
    question again, whether its words disclose a risk the answer could not keep)."""
    typed = typed_words(request.form)
    try:
        if request.form.get("action") == "skip":
            result = engine.save_answer(response, current, None, skipped=True, said=typed)
        else:
            value = engine.validate(current, raw_answer(current, request.form))
            result = engine.save_answer(response, current, value, said=typed)
    except AnswerInvalid as exc:
        return exc, engine.flag_words_beside(response, current, typed) is not None
    except SurveyClosed:
        return _closed_after(survey_round, request.form)
    following = _after(response, current, changing)
    if result.level:
        web.remember_disclosure(survey_round, result.level)
    if result.level == "likely":
        return redirect(url_for("survey.help_now", slug=survey_round.slug, next=following))
    if result.notices:
        return render_template(
            "surveys/web/notice.html",
            survey_round=survey_round,
            notices=result.notices,
            next_url=following,
        )
    return redirect(following)


def _question_page(
    survey_round: SurveyRound, response, current, changing: bool, error, gentle: bool
) -> str:
    """The question's page: its stored answer, or what was posted beside ``error``."""
    answer = engine.answers_by_question(response).get(current.id)
    wording = web.question_wording(current)
    return web.question_page(
        dict(
            survey_round=survey_round,
            question=current,
            wording=wording,
            answer=answer,
            choices_key=web.choices_key(current, wording, answer, error),
            number=engine.position(response, current),
            back_url=_back(response, current, changing),
            error=error,
            form_values=request.form if error else None,
            changing=changing,
            kinds=QuestionKind,
            gentle_help=gentle or web.take_gentle_help(survey_round),
        )
    )


def _closed_after(survey_round: SurveyRound, form):
    """The closed page; words sent to a round that closed meanwhile are still screened: a risk
    in them is flagged for the lead (there is no answer to keep) and sends them to help."""
    if request.method == "POST" and web.flag_words_sent_to_closed(survey_round, typed_words(form)):
        return redirect(url_for("survey.help_now", slug=survey_round.slug))
    return _closed(survey_round)


def _after(response, current, changing: bool) -> str:
    slug = response.round.slug
    if changing:
        return url_for("survey.check", slug=slug)
    _, following = engine.neighbours(response, current)
    upcoming = engine.next_question(response)
    target = following if following is not None else upcoming
    if target is None:
        return url_for("survey.check", slug=slug)
    return url_for("survey.question", slug=slug, code=target.code)


def _back(response, current, changing: bool) -> str:
    slug = response.round.slug
    if changing:
        return url_for("survey.check", slug=slug)
    before, _ = engine.neighbours(response, current)
    if before is None:
        return url_for("survey.start", slug=slug)
    return url_for("survey.question", slug=slug, code=before.code)


@bp.route("/s/<slug>/check", methods=["GET", "POST"])
@public
def check(slug: str):
    survey_round = _round(slug)
    if request.method == "POST" and web.has_sent(survey_round):
        return redirect(url_for("survey.thanks", slug=slug))  # a replayed submit
    if not survey_round.is_open:
        return _closed(survey_round)
    response, away = _response_or_start(survey_round)
    if away:
        return away
    if request.method == "POST":
        engine.complete(response)
        web.mark_sent(survey_round)
        return redirect(url_for("survey.thanks", slug=slug))
    answers = engine.answers_by_question(response)
    rows = []
    for q in engine.questions(response):
        wording = web.question_wording(q)
        rows.append(
            (wording, q.code, engine.answer_summary(q, answers.get(q.id), wording.option_label))
        )
    return render_template(
        "surveys/web/check.html",
        survey_round=survey_round,
        rows=rows,
        gentle_help=web.take_gentle_help(survey_round),
    )


@bp.get("/s/<slug>/thanks")
@public
def thanks(slug: str):
    survey_round = _round(slug)
    if not web.has_sent(survey_round):
        return redirect(url_for("survey.start", slug=slug))
    return _thanks_page(survey_round)


def _thanks_page(survey_round: SurveyRound, **posted: ContactRequestForm) -> str:
    """The thank-you page with its two keep-in-touch forms (``posted``: one sent back with its
    errors, as ``forum_form`` or ``updates_form``)."""
    forms = {
        "forum_form": ContactRequestForm(kind="forum", prefix="forum"),
        "updates_form": ContactRequestForm(kind="updates", prefix="updates"),
        **posted,
    }
    return render_template(
        "surveys/web/thanks.html",
        disclosed=web.disclosed(survey_round),
        survey_round=survey_round,
        wording=web.questionnaire_wording(survey_round),
        **forms,
    )


@bp.post("/s/<slug>/keep-in-touch/<any(forum, updates):kind>")
@public
def keep_in_touch(slug: str, kind: str):
    survey_round = _round(slug)
    form = ContactRequestForm(prefix=kind)
    name = form.name.data or ""
    helped = web.offer_help_for(survey_round, [name])  # "he hits me" typed as a name
    if not form.validate_on_submit():
        if helped:
            web.keep_words_for_lead(survey_round, name)
        return _thanks_page(survey_round, **{f"{kind}_form": form}), 400
    web.save_contact_request(
        survey_round, kind, name, form.phone.data or "", form.email.data or "", form.consent.data
    )
    return render_template(
        "surveys/web/kept_in_touch.html",
        survey_round=survey_round,
        kind=kind,
        disclosed=web.disclosed(survey_round),
    )


@bp.get("/s/<slug>/help")
@public
def help_now(slug: str):
    survey_round = _round(slug)
    next_url = request.args.get("next", "")
    if not next_url.startswith(f"/s/{survey_round.slug}/") or next_url.startswith(
        url_for("survey.help_now", slug=slug)
    ):
        next_url = url_for("survey.start", slug=slug)
    return render_template(
        "surveys/web/help.html",
        survey_round=survey_round,
        next_url=next_url,
        help_next=next_url,
        told=web.take_told(survey_round),
    )


@bp.get("/s/<slug>/save")
@public
def save_for_later(slug: str):
    survey_round = _round(slug)
    code = web.resume_code(survey_round)
    if code is None or web.current_response(survey_round) is None:
        return redirect(url_for("survey.start", slug=slug))
    return render_template("surveys/web/saved.html", survey_round=survey_round, code=code)


@bp.route("/s/<slug>/resume", methods=["GET", "POST"])
@limiter.limit(configured_limit("CODE_GUESS_RATE_LIMIT"), methods=["POST"])
@public
def resume(slug: str):
    survey_round = _round(slug)
    if not survey_round.is_open:
        return _closed(survey_round)
    form = ResumeForm()
    status = 200
    if form.validate_on_submit():
        response = web.resume(survey_round, form.code.data or "")
        if response is not None:
            return redirect(url_for("survey.begin_again", slug=slug))
        form.code.errors = [
            *form.code.errors,
            "We could not find that code. Check it and try again. Codes "
            "stop working when you send your answers or the survey closes.",
        ]
        status = 400
    return render_template("surveys/web/resume.html", survey_round=survey_round, form=form), status


@bp.get("/s/<slug>/continue")
@public
def begin_again(slug: str):
    """Where a resumed browser lands: the first question not yet answered."""
    survey_round = _round(slug)
    response, away = _response_or_start(survey_round)
    if away:
        return away
    question = engine.next_question(response)
    if question is None:
        return redirect(url_for("survey.check", slug=slug))
    return redirect(url_for("survey.question", slug=slug, code=question.code))
