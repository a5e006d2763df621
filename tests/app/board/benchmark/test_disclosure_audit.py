"""The disclosure-control audit, extended to what travels to other councils (issue 24, bar 3).

Attacks played here, each with the attacker's own solver (scipy.optimize.milp, whole counts),
built only from what the attacker holds:
- two exports of the same round a day apart, and a third after more responses: one question's
  options and its "did not answer" add up to the people who answered; counts only grow;
  "fewer than 5" is 0 to 4, "hidden to protect privacy" 5 or more;
- the exports together with everything the board sees (the dashboard for all ages and each
  age band, the XLSX data pack, via tests/app/board/test_disclosure_attack.py) and the
  council's public "you said, we did" page;
- the comparison shown on the dashboard: its "you" figures, median and range.
No hidden cell may be narrowed below the product's promise (a range of at least PROTECTION).
Switch the product's secondary step off (``Publication.secondary = False``) and the first attack
works out the small cell (``test_without_secondary_suppression_the_export_gives_it_away``).
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
import time_machine
from scipy.optimize import Bounds, LinearConstraint, milp

from app.board.benchmark import services, signing
from app.core.disclosure import Publication, protection
from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.engine import YES_NO_UNSURE
from surveys.models import Answer, Response, SurveyRound
from surveys.services import wellbeing_module
from tests.app.board.conftest import make_round
from tests.app.board.test_disclosure_attack import Attack, _collect, _hidden_keys, _value
from tests.conftest import FROZEN_AT

# Q11 for all ages: 3 "not sure" is the one small cell; nobody skipped it, so without secondary
# suppression it is everyone less the yeses and noes.
PLAN = {"yes": 20, "no": 12, "not_sure": 3}
BIG = 10_000


@pytest.fixture(autouse=True)
def signing_key(app):
    app.config["BENCHMARK_SIGNING_KEY"] = signing.new_key()


def _seed(app) -> int:
    round_id = make_round(app, {"web": sum(PLAN.values())}, ages=[17, 19, 22, 19, 30])
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        survey_round.status = "open"  # the snapshot moves with new responses while open
        responses = sorted(
            db.session.scalars(db.select(Response).where(Response.round_id == round_id)),
            key=lambda r: str(r.id),
        )
        choices = [c for c, n in PLAN.items() for _ in range(n)]
        q11 = _question(survey_round, "Q11")
        for response, choice in zip(responses, choices, strict=True):
            response.answers.append(Answer(question=q11, value={"choice": choice}))
        db.session.commit()
    return round_id


def _question(survey_round, code):
    return next(q for q in survey_round.questionnaire.questions if q.code == code)


def _add(app, round_id, count, choice):
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        for _ in range(count):
            response = Response(round=survey_round, channel="web", status="complete")
            response.answers.append(
                Answer(question=_question(survey_round, "Q1"), value={"age": 19})
            )
            response.answers.append(
                Answer(question=_question(survey_round, "Q11"), value={"choice": choice})
            )
            db.session.add(response)
        db.session.commit()


def _export(app, round_id, days_later=0) -> dict:
    with time_machine.travel(FROZEN_AT + timedelta(days=days_later), tick=False), app.app_context():
        _, body = services.export_file(db.session.get(SurveyRound, round_id))
    return json.loads(body)["payload"]


# --- The attacker's solver over exported files -----------------------------------------------


class FileAttack:
    """Variables: every count in every file; the sums a file's reader knows; growth between."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.hidden: list[tuple] = []

    def know(self, key, value) -> int:
        if key not in self.index:
            self.index[key] = len(self.lb)
            self.lb.append(0)
            self.ub.append(BIG)
        i = self.index[key]
        seen = _value(value) if isinstance(value, str) else value
        low, high = {"small": (0, 4), "hidden": (5, BIG)}.get(seen, (seen, seen))
        self.lb[i], self.ub[i] = max(self.lb[i], low), min(self.ub[i], high)
        if isinstance(value, str):
            self.hidden.append(key)
        return i

    def read(self, number: int, payload: dict) -> None:
        people = self.know((number, "responses"), payload["responses"])
        for question in payload["questions"]:
            parts = [
                self.know((number, question["code"], option), count)
                for option, count in question["counts"].items()
            ]
            if "did_not_answer" in question:
                parts.append(
                    self.know((number, question["code"], "dna"), question["did_not_answer"])
                )
                self.rows.append(({**dict.fromkeys(parts, 1.0), people: -1.0}, 0, 0))
            else:  # one person may tick several: each option is within everyone
                self.rows += [({p: 1.0, people: -1.0}, -np.inf, 0) for p in parts]
        for entry in payload["themes"]["questions"]:
            coded = self.know((number, "coded", entry["code"]), entry["coded"])
            self.rows.append(({coded: 1.0, people: -1.0}, -np.inf, 0))
            for key, count in entry["counts"].items():
                theme = self.know((number, "theme", entry["code"], key), count)
                self.rows.append(({theme: 1.0, coded: -1.0}, -np.inf, 0))
        for part in payload.get("modules", []):
            for measure in part["wellbeing"]:
                # The ONS bands of one measure add up to those who answered it, who are
                # among the people who answered the survey.
                answered = self.know((number, measure["code"], "answered"), measure["answered"])
                self.rows.append(({answered: 1.0, people: -1.0}, -np.inf, 0))
                bands = [
                    self.know((number, measure["code"], key), count)
                    for key, count in measure["bands"].items()
                ]
                self.rows.append(({**dict.fromkeys(bands, 1.0), answered: -1.0}, 0, 0))

    def grows(self, before: int, after: int) -> None:
        for key, i in list(self.index.items()):
            later = self.index.get((after, *key[1:]))
            if key[0] == before and later is not None:
                self.rows.append(({later: 1.0, i: -1.0}, 0, np.inf))

    def ranges(self) -> dict[tuple, tuple[int, int]]:
        n = len(self.lb)
        matrix = np.zeros((len(self.rows), n))
        for r, (coeffs, _, _) in enumerate(self.rows):
            for i, c in coeffs.items():
                matrix[r, i] += c
        constraint = LinearConstraint(
            matrix, [low for _, low, _ in self.rows], [high for _, _, high in self.rows]
        )
        found = {}
        for key in sorted(set(self.hidden), key=repr):
            c = np.zeros(n)
            c[self.index[key]] = 1
            ends = []
            for sign in (1, -1):
                result = milp(
                    sign * c,
                    constraints=[constraint],
                    bounds=Bounds(self.lb, self.ub),
                    integrality=np.ones(n),
                )
                assert result.success, "the exported figures are inconsistent"
                ends.append(round(sign * result.fun))
            found[key] = (ends[0], ends[1])
        return found


def _three_exports(app) -> list[dict]:
    """The same round exported today, tomorrow (two more answers) and the day after (six)."""
    round_id = _seed(app)
    first = _export(app, round_id)
    _add(app, round_id, 2, "no")
    second = _export(app, round_id, days_later=1)
    _add(app, round_id, 4, "yes")
    third = _export(app, round_id, days_later=2)
    return [first, second, third]


def _attack_files(files: list[dict]) -> dict[tuple, tuple[int, int]]:
    attack = FileAttack()
    for number, payload in enumerate(files):
        attack.read(number, payload)
    for number in range(1, len(files)):
        attack.grows(number - 1, number)
    return attack.ranges()


def _no_small_count_travels(payload: dict) -> None:
    counts = [payload["responses"]]
    for question in payload["questions"]:
        counts += [*question["counts"].values(), question.get("did_not_answer", 0)]
    for entry in payload["themes"]["questions"]:
        counts += [entry["coded"], *entry["counts"].values()]
    for part in payload.get("modules", []):
        for measure in part["wellbeing"]:
            counts += [measure["answered"], *measure["bands"].values()]
    small = [c for c in counts if isinstance(c, int) and 0 < c < 5]
    assert not small, f"counts of fewer than 5 people in the file: {small}"


def test_no_hidden_cell_can_be_worked_out_from_exports_a_day_apart(app):
    files = _three_exports(app)
    for payload in files:
        _no_small_count_travels(payload)
    strip = {"exported_on"}
    assert {k: v for k, v in files[0].items() if k not in strip} == {
        k: v for k, v in files[1].items() if k not in strip
    }, "two more answers moved the exported figures: a day-apart difference would show them"
    assert files[2]["questions"] != files[1]["questions"], "six more answers move the snapshot"
    ranges = _attack_files(files)
    assert ranges, "the seeded round should hide some cells"
    narrowed = {k: r for k, r in ranges.items() if r[1] - r[0] < protection()}
    assert not narrowed, f"hidden cells worked out from the exports: {narrowed}"


@pytest.fixture
def no_secondary(monkeypatch):
    monkeypatch.setattr(Publication, "secondary", False)


def test_without_secondary_suppression_the_export_gives_it_away(app, no_secondary):
    ranges = _attack_files(_three_exports(app))
    pinned = {k: r for k, r in ranges.items() if r[0] == r[1]}
    assert (0, "Q11", "not_sure") in pinned, "the attack should recover the 3 'not sure'"


def test_exports_with_everything_the_board_and_the_public_see_pin_nothing(app, logged_in_as):
    """The board member's attack (every view, every band, the XLSX, two snapshots) with the
    exports of both snapshots and the public page added: the exports must add no information."""
    round_id = _seed(app)
    client = logged_in_as(Role.BOARD_MEMBER)
    public = client.get("/you-said-we-did")
    assert public.status_code == 200
    before = _collect(app, client, round_id)
    first = _export(app, round_id)
    _add(app, round_id, 6, "yes")
    after = _collect(app, client, round_id)
    second = _export(app, round_id, days_later=1)
    attack = Attack()
    attack.publish(0, before)
    attack.publish(1, after)
    attack.grows(0, 1)
    with app.app_context():
        q11 = _question(db.session.get(SurveyRound, round_id), "Q11")
    hidden = _hidden_keys(before, 0) + _hidden_keys(after, 1)
    for snapshot, payload in [(0, first), (1, second)]:
        (exported,) = [q for q in payload["questions"] if q["code"] == q11.code]
        attack.know(("people", snapshot, ""), _value(payload["responses"]))
        rows = {YES_NO_UNSURE[o]: c for o, c in exported["counts"].items()}
        rows["Did not answer"] = exported["did_not_answer"]
        for label, count in rows.items():
            attack.know(("Q11", label, snapshot, ""), _value(count))
            if isinstance(count, str):
                hidden.append(("Q11", label, snapshot, ""))
    assert any(k[0] == "Q11" and k[-1] == "" for k in hidden), "Q11 should hide a cell"
    ranges = attack.ranges(sorted(set(hidden)))
    pinned = {key: r for key, r in ranges.items() if r[1] - r[0] < 2}
    assert not pinned, f"hidden cells worked out with the exports: {pinned}"


def _other_council(app, payload: dict, install_id: str, yes_share: float) -> None:
    """Another council's file (its own key and id), imported here."""
    other = json.loads(json.dumps(payload))
    other["install_id"] = install_id
    q11 = next(q for q in other["questions"] if q["code"] == "Q11")
    q11["counts"] = {"yes": round(40 * yes_share), "no": 40 - round(40 * yes_share), "not_sure": 0}
    q11["did_not_answer"] = 0
    other["responses"] = 40
    ours = app.config["BENCHMARK_SIGNING_KEY"]
    app.config["BENCHMARK_SIGNING_KEY"] = signing.new_key()
    with app.app_context():
        document = {
            "format": services.FORMAT,
            "format_version": services.FORMAT_VERSION,
            "payload": other,
            "signature": signing.sign(other),
        }
    app.config["BENCHMARK_SIGNING_KEY"] = ours
    with app.app_context():
        services.import_file(json.dumps(document).encode())


def test_the_comparison_shows_no_hidden_cell_and_nothing_the_export_does_not(app, logged_in_as):
    round_id = _seed(app)
    mine = _export(app, round_id)
    _other_council(app, mine, "a" * 32, 0.5)
    _other_council(app, mine, "b" * 32, 0.25)
    with app.app_context():
        comparison = services.compare(db.session.get(SurveyRound, round_id))
    rows = {row[0]: row[1:] for row in comparison.table.rows}
    (q11,) = [q for q in mine["questions"] if q["code"] == "Q11"]
    for option, count in q11["counts"].items():
        you, median, _, councils = rows[f"Q11: {YES_NO_UNSURE[option]}"]
        if isinstance(count, str):
            # A hidden cell is not a percentage anywhere, and takes no part in a median.
            assert you == "not shown" and median == services.NOT_ENOUGH
            assert councils == 2
        else:
            assert you == f"{round(100 * count / mine['responses'])}%"
    assert any(isinstance(c, str) for c in q11["counts"].values()), "Q11 should hide a cell"
    page = logged_in_as(Role.BOARD_MEMBER).get(f"/board?round={round_id}").text
    assert "You and 2 other councils" in page


# --- The well-being module's part (ONS bands and averages) ------------------------------------

# Life satisfaction for the 35 people of PLAN: 3 low (a small band), 12 medium, 10 high, 10 very
# high; nobody skipped it, so without secondary suppression the 3 is the rest subtracted.
LIFE = [2] * 3 + [6] * 12 + [8] * 10 + [9] * 10


def _with_module(app, round_id: int) -> None:
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        module = wellbeing_module()
        survey_round.wellbeing_module_id = module.id
        (ons1,) = [q for q in module.questions if q.code == "ONS1"]
        responses = sorted(
            db.session.scalars(db.select(Response).where(Response.round_id == round_id)),
            key=lambda r: str(r.id),
        )
        for response, score in zip(responses, LIFE, strict=True):
            response.answers.append(Answer(question=ons1, value={"score": score}))
        db.session.commit()


def _wellbeing_exports(app) -> tuple[int, list[dict]]:
    round_id = _seed(app)
    _with_module(app, round_id)
    first = _export(app, round_id)
    _add(app, round_id, 2, "no")
    second = _export(app, round_id, days_later=1)
    _add(app, round_id, 4, "yes")
    third = _export(app, round_id, days_later=2)
    return round_id, [first, second, third]


def test_the_wellbeing_part_hides_small_bands_and_nothing_can_be_worked_out(app):
    round_id, files = _wellbeing_exports(app)
    for payload in files:
        _no_small_count_travels(payload)
    (part,) = files[0]["modules"]
    life = part["wellbeing"][0]
    assert life["bands"]["low"] == "fewer than 5"
    others = [v for k, v in life["bands"].items() if k != "low"]
    assert any(isinstance(v, str) for v in others), "a second band hides the small one"
    # A band is hidden, so the average is not shown, as on the board: beside a hidden band's
    # count it can pin it (tests/app/board/test_wellbeing.py).
    assert life["mean"] is None
    (later,) = files[1]["modules"]
    assert later == part, "two more responses moved the well-being figures"
    ranges = _attack_files(files)
    assert (0, "ONS1", "low") in ranges
    narrowed = {k: r for k, r in ranges.items() if r[1] - r[0] < protection()}
    assert not narrowed, f"hidden cells worked out from the exports: {narrowed}"

    # Beside two other councils, a hidden band is "not shown" and takes no part in a median.
    _other_council(app, files[2], "a" * 32, 0.5)
    _other_council(app, files[2], "b" * 32, 0.25)
    with app.app_context():
        comparison = services.compare(db.session.get(SurveyRound, round_id))
    assert comparison.wellbeing is not None and comparison.wellbeing_others == 2
    rows = {row[0]: row[1:] for row in comparison.wellbeing.rows}
    you, median, _, councils = rows["Life satisfaction: Low (0 to 4)"]
    assert (you, median, councils) == ("not shown", services.NOT_ENOUGH, 0)  # theirs hide it too
    assert rows["Life satisfaction: average score"][0] == "not shown"


def test_without_secondary_suppression_the_wellbeing_part_gives_the_small_band_away(
    app, no_secondary
):
    _, files = _wellbeing_exports(app)
    ranges = _attack_files(files)
    assert ranges[(0, "ONS1", "low")] == (3, 3), "the attack should recover the 3 low scores"
