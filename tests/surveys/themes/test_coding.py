"""The coding queue over HTTP: code, skip, go back, conflicts, deleted answers, merges, roles."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.core.extensions import db
from app.staff.auth.models import Role, StaffUser
from surveys.models import Answer, SurveyRound
from surveys.safeguarding.models import SafeguardingFlag
from surveys.themes import services
from surveys.themes.models import Coding, Theme
from tests.conftest import make_staff, sign_in
from tests.surveys.themes.helpers import answer_ids, round_with_answers, theme_id

TEXTS = [
    "Not enough money for food at the end of the month",
    "My PA always texts back",
    "Feeling lonely at night",
]


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


def test_worker_codes_answers_in_turn_with_suggestions(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    first = client.get(f"/staff/themes/{round_id}/code")
    assert first.status_code == 302
    page = client.get(first.headers["Location"])
    assert "Not enough money for food" in page.text
    assert "Money and budgeting" in page.text and "keyword: money" in page.text
    ids = answer_ids(app, round_id)
    money, practical = theme_id(app, round_id, "money"), theme_id(app, round_id, "practical")
    saved = client.post(
        f"/staff/themes/{round_id}/code/{ids[0]}/0",
        data={
            "themes": [money, practical],
            "sentiment": "negative",
            "notable": "y",
            "version": "0",
        },
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/code/{ids[1]}/0")
    with app.app_context():
        coding = services.coding_for(ids[0], 0)
        assert {t.key for t in coding.themes} == {"money", "practical"}
        assert coding.sentiment == "negative" and coding.notable
    # htmx: the next answer comes back as a fragment with the new URL pushed.
    htmx = client.post(
        f"/staff/themes/{round_id}/code/{ids[1]}/0",
        data={"themes": [theme_id(app, round_id, "support")], "version": "0"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200
    assert "Feeling lonely at night" in htmx.text and "<html" not in htmx.text
    assert htmx.headers["HX-Push-Url"].endswith(f"/code/{ids[2]}/0")
    # Skip and back are links that work without JavaScript.
    third = client.get(f"/staff/themes/{round_id}/code/{ids[2]}/0")
    assert f"/code/{ids[1]}/0" in third.text  # previous answer
    assert f"after={ids[2]}-0" in third.text  # skip
    progress = client.get(f"/staff/themes/{round_id}/code/{ids[2]}/0").text
    assert re.search(r"Q12.*?>2<.*?>1<", progress, re.S)  # coded 2, to do 1


def test_no_theme_chosen_says_what_to_do(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS[:1])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    response = client.post(f"/staff/themes/{round_id}/code/{ids[0]}/0", data={"version": "0"})
    assert response.status_code == 200
    assert "Choose at least one theme, or skip this answer" in response.text


def test_a_stale_save_tells_the_coder_what_the_other_coder_chose(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS[:1])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    url = f"/staff/themes/{round_id}/code/{ids[0]}/0"
    page = client.get(url)
    assert _version(page.text) == "0"
    money, loneliness = theme_id(app, round_id, "money"), theme_id(app, round_id, "loneliness")
    # Someone else saves first, from their own page.
    with app.app_context():
        other = db.session.scalar(sa.select(Theme).where(Theme.id == money))
        survey_round = db.session.get(SurveyRound, round_id)
        coder = db.session.get(StaffUser, make_staff(app, Role.PEER_RESEARCHER, "p@example.org"))
        services.save_coding(
            survey_round,
            services.codebook_for(survey_round),
            answer_id=ids[0],
            part=0,
            pass_no=1,
            theme_ids=[other.id],
            sentiment=None,
            notable=False,
            seen_version=0,
            coder=coder,
        )
    stale = client.post(url, data={"themes": [loneliness], "version": "0"})
    assert stale.status_code == 409
    assert "Someone else coded this answer while you were working" in stale.text
    assert (
        "Money and budgeting" in re.search(r'id="their-coding".*?</ul>', stale.text, re.S).group()
    )
    with app.app_context():
        assert [t.key for t in services.coding_for(ids[0], 0).themes] == ["money"]
    # Saving again, knowingly, replaces theirs.
    again = client.post(url, data={"themes": [loneliness], "version": _version(stale.text)})
    assert again.status_code == 302
    with app.app_context():
        coding = services.coding_for(ids[0], 0)
        assert [t.key for t in coding.themes] == ["loneliness"] and coding.version == 2


def test_the_database_refuses_a_write_based_on_an_old_version(app):
    round_id = round_with_answers(app, TEXTS[:1])
    ids = answer_ids(app, round_id)
    with app.app_context():
        db.session.add(Coding(round_id=round_id, answer_id=ids[0], part=0, pass_no=1))
        db.session.commit()
        # A concurrent writer bumps the version behind this session's back.
        db.session.execute(sa.text("UPDATE coding SET version = version + 1"))
        db.session.commit()
    with app.app_context():
        coding = services.coding_for(ids[0], 0)
        db.session.execute(sa.text("UPDATE coding SET version = version + 1"))
        coding.notable = True
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()


def test_coding_an_answer_deleted_meanwhile_says_so(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS[:2])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    with app.app_context():
        db.session.delete(db.session.get(Answer, ids[0]))
        db.session.commit()
    response = client.post(
        f"/staff/themes/{round_id}/code/{ids[0]}/0",
        data={"themes": [theme_id(app, round_id, "money")], "version": "0"},
    )
    assert response.status_code == 302
    assert (
        "has been deleted" in client.get(response.headers["Location"], follow_redirects=True).text
    )
    with app.app_context():
        assert services.coding_for(ids[0], 0) is None


def test_a_theme_in_use_is_merged_not_deleted(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS[:2])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    money, practical = theme_id(app, round_id, "money"), theme_id(app, round_id, "practical")
    for answer_id in ids:
        client.post(
            f"/staff/themes/{round_id}/code/{answer_id}/0",
            data={"themes": [money, practical], "version": "0"},
        )
    url = f"/staff/themes/{round_id}/codebook/{money}/delete"
    assert "used in 2 coded answers" in client.get(url).text
    refused = client.post(url, data={"merge_into": "0"})
    assert "Choose a theme to merge it into" in refused.text
    merged = client.post(url, data={"merge_into": str(practical)})
    assert merged.status_code == 302
    with app.app_context():
        assert db.session.get(Theme, money) is None
        for answer_id in ids:
            assert [t.key for t in services.coding_for(answer_id, 0).themes] == ["practical"]


def test_a_ticked_theme_deleted_meanwhile_is_named_and_the_other_ticks_kept(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS[:2])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    money, practical = theme_id(app, round_id, "money"), theme_id(app, round_id, "practical")
    with app.app_context():
        name = db.session.get(Theme, money).name
    # A colleague deletes the unused theme while this coder has both ticked.
    assert client.post(f"/staff/themes/{round_id}/codebook/{money}/delete").status_code == 302
    saved = client.post(
        f"/staff/themes/{round_id}/code/{ids[0]}/0",
        data={"themes": [money, practical], "version": "0"},
    )
    assert saved.status_code == 400
    assert f"The theme &#39;{name}&#39; has been deleted while you were coding" in saved.text
    assert re.search(rf'value="{practical}"[^>]*checked', saved.text)  # the other tick stays
    with app.app_context():
        assert services.coding_for(ids[0], 0) is None


def test_long_emoji_and_other_language_answers_are_shown_plainly(app, logged_in_as):
    texts = ["x" * 1990, "😀😀😀", "Necesito más ayuda con el dinero"]
    round_id = round_with_answers(app, texts)
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    for answer_id in answer_ids(app, round_id):
        page = client.get(f"/staff/themes/{round_id}/code/{answer_id}/0")
        assert page.status_code == 200
    assert "No suggestions for this answer" in page.text or "Suggested themes" in page.text
    emoji = client.get(f"/staff/themes/{round_id}/code/{answer_ids(app, round_id)[1]}/0")
    assert "😀😀😀" in emoji.text and "No suggestions for this answer" in emoji.text


def test_peer_researchers_see_only_the_text_and_never_flagged_answers(app, logged_in_as):
    round_id = round_with_answers(app, TEXTS)
    ids = answer_ids(app, round_id)
    with app.app_context():
        db.session.add(
            SafeguardingFlag(round_id=round_id, answer_id=ids[1], rules="x", categories="x")
        )
        db.session.commit()
    client = logged_in_as(Role.PEER_RESEARCHER)
    assert client.get(f"/staff/themes/{round_id}/code/{ids[1]}/0").status_code == 404
    page = client.get(f"/staff/themes/{round_id}/code/{ids[0]}/0")
    assert page.status_code == 200
    assert "/staff/rounds" not in page.text and "Safeguarding" not in page.text
    assert client.get(f"/staff/themes/{round_id}/codebook").status_code == 200
    assert "/delete" not in client.get(f"/staff/themes/{round_id}/codebook").text
    assert client.get(f"/staff/themes/{round_id}/results").status_code == 403
    assert client.get(f"/staff/rounds/{round_id}/responses").status_code == 403
    queue_total = re.search(r"answer \d+ of (\d+)", page.text).group(1)
    assert queue_total == "2"


def test_a_flag_on_a_text_outside_a_survey_hides_no_answer_from_peer_researchers(app, logged_in_as):
    """Such a flag has no answer: "NOT IN" a list holding a NULL would match no answer at all."""
    round_id = round_with_answers(app, TEXTS)
    with app.app_context():
        db.session.add(SafeguardingFlag(round_id=None, answer_id=None, rules="x", categories="x"))
        db.session.commit()
    client = logged_in_as(Role.PEER_RESEARCHER)
    page = client.get(f"/staff/themes/{round_id}/code", follow_redirects=True)
    assert page.status_code == 200
    assert re.search(r"answer \d+ of (\d+)", page.text).group(1) == str(len(TEXTS))


def test_second_coding_is_blind_and_kappa_is_reported(app, logged_in_as):
    round_id = round_with_answers(app, [f"money worries number {i}" for i in range(30)])
    ids = answer_ids(app, round_id)
    money = theme_id(app, round_id, "money")
    worker = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        services.set_double_coding(services.codebook_for(survey_round), 50)
    for answer_id in ids:
        worker.post(
            f"/staff/themes/{round_id}/code/{answer_id}/0", data={"themes": [money], "version": "0"}
        )
    # The same worker is never the second coder of their own answers.
    assert (
        "No answers left to code a second time"
        in worker.get(f"/staff/themes/{round_id}/code?pass=2").text
    )
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        codebook = services.codebook_for(survey_round)
        sample = [a for a in ids if services.in_sample(codebook, a, 0)]
    assert 5 < len(sample) < 25
    second = app.test_client()
    make_staff(app, Role.PEER_RESEARCHER, "peer2@example.org")
    sign_in(second, "peer2@example.org")
    first_page = second.get(f"/staff/themes/{round_id}/code?pass=2")
    blind = second.get(first_page.headers["Location"])
    assert "Second coding (blind)" in blind.text
    assert "Already coded" not in blind.text and "coded answers" not in blind.text
    loneliness = theme_id(app, round_id, "loneliness")
    for n, answer_id in enumerate(sample):
        chosen = [money] if n else [loneliness]
        second.post(
            f"/staff/themes/{round_id}/code/{answer_id}/0?pass=2",
            data={"themes": chosen, "version": "0"},
        )
    report = worker.get(f"/staff/themes/{round_id}/agreement").text
    assert "Disagreements to settle together" in report
    assert "Feeling" not in report
    assert re.search(r'id="overall-kappa".*?<strong>(-?[0-9.]+)</strong>', report, re.S)


def test_exports_are_spreadsheet_safe_and_audited(app, logged_in_as):
    round_id = round_with_answers(app, ['=HYPERLINK("http://evil.example")'])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    client.post(
        f"/staff/themes/{round_id}/code/{ids[0]}/0",
        data={"themes": [theme_id(app, round_id, "other")], "version": "0"},
    )
    csv_text = client.get(f"/staff/themes/{round_id}/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "Other or not clear" in csv_text
    assert client.get(f"/staff/themes/{round_id}/export.xlsx").status_code == 200
    with app.app_context():
        from app.staff.audit.models import AuditEvent

        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert "themes.export" in actions


def test_the_coded_export_has_a_column_per_theme_with_numbers(app, logged_in_as):
    round_id = round_with_answers(app, ["No money for the bus", "My PA helps"])
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    ids = answer_ids(app, round_id)
    other = theme_id(app, round_id, "other")
    client.post(
        f"/staff/themes/{round_id}/code/{ids[0]}/0", data={"themes": [other], "version": "0"}
    )
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/staff/themes/{round_id}/export.xlsx").data)
    )
    sheet = book["Coded answers"]
    headers = [c.value for c in sheet[1]]
    assert "Question" in headers and "Theme: Other or not clear" in headers
    column = headers.index("Theme: Other or not clear")
    theme_columns = [i for i, h in enumerate(headers) if h.startswith("Theme: ")]
    by_response = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    coded = by_response[ids_to_response(app, ids[0])]
    assert (coded[column].value, coded[column].data_type) == (1, "n")
    assert sum(coded[i].value for i in theme_columns) == 1  # only what was ticked
    assert isinstance(coded[0].value, int)  # the response key is a number too
    waiting = next(r for k, r in by_response.items() if k != ids_to_response(app, ids[0]))
    assert all(waiting[i].value is None for i in theme_columns)  # not coded yet: blank


def ids_to_response(app, answer_id: int) -> int:
    with app.app_context():
        return db.session.get(Answer, answer_id).response_id
