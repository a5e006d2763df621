"""Bar 1 of issue 24: councils compare through signed files, never responses.

Three installs, each its own database and app: two export their round's figures, the third
imports both files and shows "you and 2 other councils" with its figure, the median and the
range. A tampered file, a file for another questionnaire and a file that claims another
install's id under a new key are refused with messages that say why.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.board import pack
from app.board import services as board
from app.board.benchmark import services, signing
from app.core.extensions import db
from app.staff.auth.models import Role
from app.staff.authority.services import get_settings
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.services import wellbeing_module
from tests.app.board.conftest import make_round
from tests.conftest import _migrate, build_app, make_staff, sign_in

SCHEMA = Path(__file__).parents[4] / "docs" / "benchmark-schema.json"


class Install:
    """One council's Belonging: its own database file, app and signing key."""

    def __init__(self, template: str, folder: Path, name: str, *, key: str | None = None):
        folder.mkdir()
        copy = folder / "belonging.db"
        shutil.copyfile(template, copy)
        self.folder = folder
        self.key = key or signing.new_key()
        self.app = build_app(f"sqlite:///{copy}", BENCHMARK_SIGNING_KEY=self.key)
        with self.app.app_context():
            get_settings().name = name
            db.session.commit()

    def seed(self, yes: int, no: int) -> int:
        """A closed round of ``yes + no`` care leavers, answering Q11 yes or no."""
        round_id = make_round(self.app, {"web": yes + no})
        with self.app.app_context():
            q11 = db.session.scalar(db.select(Question).where(Question.code == "Q11"))
            responses = db.session.scalars(db.select(Response).where(Response.round_id == round_id))
            for n, response in enumerate(sorted(responses, key=lambda r: str(r.id))):
                choice = "yes" if n < yes else "no"
                response.answers.append(_answer(q11, choice))
            db.session.commit()
        return round_id

    def cli(self, *args: str):
        return self.app.test_cli_runner().invoke(args=list(args))

    def export(self, name: str = "board26") -> Path:
        out = self.folder / f"{name}.json"
        result = self.cli("benchmark", "export", name, "--out", str(out))
        assert result.exit_code == 0, result.output
        return out

    def settings(self, share_name: bool, cluster: str = "") -> None:
        with self.app.app_context():
            services.save_settings(share_name, cluster)

    def board(self, round_id: int, role: Role = Role.BOARD_MEMBER):
        client = self.app.test_client()
        make_staff(self.app, role, f"{role.value}@example.org")
        sign_in(client, f"{role.value}@example.org")
        return client


def _answer(question, choice):
    return Answer(question=question, value={"choice": choice})


@pytest.fixture(scope="module")
def install_template(tmp_path_factory) -> str:
    """A migrated SQLite file each install copies, also when the suite runs on PostgreSQL
    (each council has a database of its own; what travels between them is a file)."""
    path = tmp_path_factory.mktemp("installs") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def installs(install_template, tmp_path):
    made: list[Install] = []

    def make(name: str, **kwargs) -> Install:
        install = Install(install_template, tmp_path / f"install{len(made)}", name, **kwargs)
        made.append(install)
        return install

    yield make
    for install in made:
        with install.app.app_context():
            db.session.remove()
            db.engine.dispose()


def _tamper(path: Path, out: Path, change) -> Path:
    document = json.loads(path.read_text())
    change(document["payload"])
    out.write_text(json.dumps(document))
    return out


def _q11(payload):
    return next(q for q in payload["questions"] if q["code"] == "Q11")


def test_two_installs_export_and_a_third_compares_with_both(installs):
    leeds, york, ours = installs("Fictional Leeds"), installs("Fictional York"), installs("Ours")
    leeds.seed(yes=10, no=10)  # 50% yes
    york.seed(yes=6, no=14)  # 30%
    round_id = ours.seed(yes=14, no=6)  # 70%
    files = [leeds.export(), york.export()]

    document = json.loads(files[0].read_text())
    assert document["payload"]["authority"] is None, "the name travels only when opted in"
    assert "Fictional Leeds" not in files[0].read_text()
    assert _q11(document["payload"])["counts"] == {"yes": 10, "no": 10, "not_sure": 0}
    assert document["signature"]["fingerprint"].startswith("sha256:")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))

    client = ours.board(round_id)
    page = client.get(f"/board?round={round_id}").text
    assert "Not enough councils to compare yet" in page

    for path in files:
        result = ours.cli("benchmark", "import", str(path))
        assert result.exit_code == 0, result.output
        assert "Imported figures from a council not named" in result.output

    page = client.get(f"/board?round={round_id}").text
    assert "You and 2 other councils" in page
    assert "Not enough councils to compare yet" not in page.split('id="benchmark"')[1][:400]
    row = page.split("Q11: Yes")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split('numeric">')[1:]]
    assert cells == ["70%", "50%", "30% to 70%", "3"]  # you, median, range, councils
    assert "Fictional Leeds" not in page and "Fictional York" not in page

    benchmark_page = client.get(f"/board/benchmarking?round={round_id}").text
    assert "You and 2 other councils" in benchmark_page

    with ours.app.test_request_context():
        html = pack.pack_html(board.dashboard(db.session.get(SurveyRound, round_id)))
    assert '<a href="#benchmark">Compared with other councils</a>' in html
    assert "You and 2 other councils" in html and "30% to 70%" in html


def test_a_tampered_file_is_refused(installs, tmp_path):
    other, ours = installs("Fictional Leeds"), installs("Ours")
    other.seed(yes=10, no=10)
    round_id = ours.seed(yes=14, no=6)
    path = other.export()

    def more_yes(payload):
        _q11(payload)["counts"]["yes"] = 40

    tampered = _tamper(path, tmp_path / "tampered.json", more_yes)
    result = ours.cli("benchmark", "import", str(tampered))
    assert result.exit_code != 0
    assert "The signature does not match: this file was changed after it was signed" in (
        result.output
    )
    with ours.app.app_context():
        assert services.files() == []

    # The upload page says the same, on the page, and keeps nothing.
    client = ours.board(round_id, Role.ADMIN)
    response = client.post(
        f"/board/benchmarking/import?round={round_id}",
        data={"file": (tampered.open("rb"), "tampered.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The signature does not match" in response.text
    response = client.post(
        f"/board/benchmarking/import?round={round_id}",
        data={"file": (path.open("rb"), "leeds.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "Imported figures from a council not named" in client.get(response.location).text


def test_a_file_for_another_questionnaire_is_refused(installs, tmp_path):
    other, ours = installs("Fictional Leeds"), installs("Ours")
    other.seed(yes=10, no=10)
    ours.seed(yes=14, no=6)
    with other.app.app_context():
        # The other council's copy of the questionnaire has an extra option and a module's
        # question (a 0-10 scale, as ONS4's) that ours does not have.
        q2 = db.session.scalar(db.select(Question).where(Question.code == "Q2"))
        q2.options = [*q2.options, {"value": "elsewhere", "label": "Somewhere else"}]
        survey_round = db.session.scalar(db.select(SurveyRound))
        db.session.add(
            Question(
                questionnaire=survey_round.questionnaire,
                position=99,
                code="W1",
                kind="scale",
                web_text="How satisfied are you with your life nowadays?",
            )
        )
        db.session.commit()
    path = other.export()
    payload = json.loads(path.read_text())["payload"]
    assert any(q["code"] == "W1" for q in payload["questions"]), "every closed question travels"

    result = ours.cli("benchmark", "import", str(path))
    assert result.exit_code != 0
    assert (
        "This file is for a different questionnaire: Q2 has different options; "
        "W1 is not in this install's questionnaire"
    ) in result.output

    def other_edition(payload):
        payload["questionnaire"].update(edition="new-belongings-1999", title="Another survey")

    # Re-signed by its sender, so the signature is good: the questionnaire is what differs.
    elsewhere = _resign(other, path, tmp_path / "elsewhere.json", other_edition)
    result = ours.cli("benchmark", "import", str(elsewhere))
    assert result.exit_code != 0
    assert (
        "This file is for a different questionnaire: Another survey (new-belongings-1999, "
        "version 1), which no round here uses"
    ) in result.output


def _resign(install: Install, path: Path, out: Path, change) -> Path:
    document = json.loads(path.read_text())
    change(document["payload"])
    with install.app.app_context():
        document["signature"] = signing.sign(document["payload"])
    out.write_text(json.dumps(document))
    return out


def test_a_second_file_from_the_same_install_under_another_key_is_refused(installs, tmp_path):
    other, ours = installs("Fictional Leeds"), installs("Ours")
    other.seed(yes=10, no=10)
    ours.seed(yes=14, no=6)
    first = other.export()
    assert ours.cli("benchmark", "import", str(first)).exit_code == 0

    impostor = installs("Someone else")
    impostor.seed(yes=20, no=0)
    with impostor.app.app_context():
        services.settings(create=True).install_id = json.loads(first.read_text())["payload"][
            "install_id"
        ]
        db.session.commit()
    forged = impostor.export()
    result = ours.cli("benchmark", "import", str(forged))
    assert result.exit_code != 0
    assert "signed by a different key" in result.output
    with ours.app.app_context():
        (stored,) = services.files()
        assert _q11(stored.payload)["counts"]["yes"] == 10, "the first file is kept"

    # The same council's later file, under its own key, replaces the first one.
    assert ours.cli("benchmark", "import", str(first)).exit_code == 0


def test_own_file_bad_json_and_missing_key_have_clear_messages(installs, tmp_path):
    ours = installs("Ours")
    ours.seed(yes=14, no=6)
    path = ours.export()
    assert "own file" in ours.cli("benchmark", "import", str(path)).output
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    assert "it is not JSON" in ours.cli("benchmark", "import", str(junk)).output
    ours.app.config["BENCHMARK_SIGNING_KEY"] = None
    result = ours.cli("benchmark", "export", "board26")
    assert result.exit_code != 0
    assert "Set BENCHMARK_SIGNING_KEY" in result.output


def test_the_staff_button_downloads_a_signed_file(installs):
    ours = installs("Ours")
    round_id = ours.seed(yes=14, no=6)
    client = ours.board(round_id, Role.PARTICIPATION_WORKER)
    assert "Download this round" in client.get(f"/board/benchmarking?round={round_id}").text
    response = client.post("/board/benchmarking/export", data={"round_id": round_id})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = response.get_json()
    assert signing.verify(document["payload"], document["signature"])

    board_member = ours.app.test_client()
    make_staff(ours.app, Role.BOARD_MEMBER, "board@example.org")
    sign_in(board_member, "board@example.org")
    assert (
        board_member.post("/board/benchmarking/export", data={"round_id": round_id}).status_code
        == 403
    )


def test_the_cluster_view_names_only_councils_that_share_their_name_with_the_cluster(installs):
    cluster = "North West New Belongings cluster"
    leeds, york, hull = installs("Fictional Leeds"), installs("Fictional York"), installs("Hull")
    ours = installs("Fictional Bolton")
    for install, yes in [(leeds, 10), (york, 6), (hull, 8)]:
        install.seed(yes=yes, no=20 - yes)
    round_id = ours.seed(yes=14, no=6)
    leeds.settings(True, cluster)
    york.settings(True, "Yorkshire cluster")  # named, but in another cluster
    # hull shares no name
    for install in (leeds, york, hull):
        assert ours.cli("benchmark", "import", str(install.export())).exit_code == 0

    client = ours.board(round_id, Role.ADMIN)
    page = client.get(f"/board/benchmarking?round={round_id}").text
    assert "share your own name with the cluster" in page
    assert "Fictional Leeds" in page  # the list of files names a council that chose to be named

    ours.settings(True, cluster.upper())
    page = client.get(f"/board/benchmarking?round={round_id}").text
    table = page.split('id="cluster-table"')[1].split("</table>")[0]
    assert "Fictional Bolton (you)" in table and "Fictional Leeds" in table
    assert "Fictional York" not in table and "Hull" not in table
    row = table.split("Q11: Yes")[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split('numeric">')[1:]] == ["70%", "50%"]
    # The dashboard never shows a single council's figures, named or not.
    assert "Fictional Leeds" not in client.get(f"/board?round={round_id}").text


# --- The well-being module travels as a part of its own ---------------------------------------


def _include_wellbeing(install: Install, round_id: int, score: int) -> None:
    """The round includes the ONS4 module; everyone gives ``score`` to all four questions."""
    with install.app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        module = wellbeing_module()
        survey_round.wellbeing_module_id = module.id
        responses = db.session.scalars(db.select(Response).where(Response.round_id == round_id))
        for response in responses:
            for question in module.questions:
                response.answers.append(Answer(question=question, value={"score": score}))
        db.session.commit()


def _cells(page: str, label: str) -> list[str]:
    row = page.split(f"{label}</th>")[1].split("</tr>")[0]
    return [c.split("</td>")[0] for c in row.split('numeric">')[1:]]


def test_the_wellbeing_module_compares_only_among_files_that_carry_it(installs, tmp_path):
    leeds, york, hull = installs("Fictional Leeds"), installs("Fictional York"), installs("Hull")
    ours = installs("Ours")
    _include_wellbeing(leeds, leeds.seed(yes=10, no=10), 8)  # 50% yes
    _include_wellbeing(york, york.seed(yes=6, no=14), 6)  # 30%
    hull.seed(yes=8, no=12)  # 40%: the same questionnaire, without the module
    round_id = ours.seed(yes=14, no=6)
    _include_wellbeing(ours, round_id, 7)
    paths = [leeds.export(), york.export(), hull.export()]

    payload = json.loads(paths[0].read_text())["payload"]
    (part,) = payload["modules"]
    assert (part["key"], part["version"]) == ("ons4-personal-wellbeing", 1)
    assert [q["code"] for q in part["questions"]] == ["ONS1", "ONS2", "ONS3", "ONS4"]
    assert not any(q["code"].startswith("ONS") for q in payload["questions"])
    life = part["wellbeing"][0]
    assert life == {
        "code": "ONS1",
        "answered": 20,
        "mean": 8.0,
        "bands": {"low": 0, "medium": 0, "high": 20, "very_high": 0},
    }
    assert json.loads(paths[2].read_text())["payload"]["modules"] == []
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(paths[0].read_text()), json.loads(SCHEMA.read_text()))

    for path in paths:  # with the module or without, the same questionnaire is compatible
        result = ours.cli("benchmark", "import", str(path))
        assert result.exit_code == 0, result.output

    page = ours.board(round_id).get(f"/board?round={round_id}").text
    assert "You and 3 other councils" in page
    assert _cells(page, "Q11: Yes") == ["70%", "45%", "30% to 70%", "4"]
    section = page.split('id="benchmark-wellbeing"')[1]
    assert "You and 2 other councils whose figures include the well-being module" in section
    assert _cells(section, "Life satisfaction: average score") == ["7.0", "7.0", "6.0 to 8.0", "3"]
    assert _cells(section, "Life satisfaction: High (7 to 8)") == [
        "100%",
        "100%",
        "0% to 100%",
        "3",
    ]
    assert _cells(section, "Anxiety (higher is worse): average score")[0] == "7.0"

    with ours.app.test_request_context():
        html = pack.pack_html(board.dashboard(db.session.get(SurveyRound, round_id)))
    assert "whose figures include the well-being module" in html and "6.0 to 8.0" in html

    # A round here without the module shows no well-being comparison.
    with ours.app.app_context():
        db.session.get(SurveyRound, round_id).wellbeing_module_id = None
        db.session.commit()
        assert services.compare(db.session.get(SurveyRound, round_id)).wellbeing is None


def test_a_file_whose_module_differs_is_refused(installs, tmp_path):
    other, ours = installs("Fictional Leeds"), installs("Ours")
    _include_wellbeing(other, other.seed(yes=10, no=10), 8)
    ours.seed(yes=14, no=6)
    path = other.export()

    def fewer_options(payload):
        payload["modules"][0]["questions"][0]["options"] = ["0", "1", "2", "3", "4", "5"]

    changed = _resign(other, path, tmp_path / "changed.json", fewer_options)
    result = ours.cli("benchmark", "import", str(changed))
    assert result.exit_code != 0
    assert (
        "This file's Personal well-being (ONS4) module (ons4-personal-wellbeing, version 1) "
        "has different questions or options from this install's"
    ) in result.output

    def newer_module(payload):
        payload["modules"][0]["version"] = 2

    newer = _resign(other, path, tmp_path / "newer.json", newer_module)
    assert "is not one this install has" in ours.cli("benchmark", "import", str(newer)).output
    with ours.app.app_context():
        assert services.files() == []
