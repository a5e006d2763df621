"""Benchmarking between councils: export this round's figures, import others', compare.

The rules, and why:
- What travels is a projection of the board's own snapshot (``app.board.services.analyse``):
  the all-ages figure of every closed question's options, the people who answered, the response
  rate and the people coded to each theme of the shared starter codebook, each exactly as the
  dashboard shows it ("fewer than 5" and "hidden to protect privacy" stay labels). So no cell
  the council suppresses on its own pages can travel: the product's one disclosure rule
  (app.core.disclosure) has already audited every figure of the snapshot together, and two
  exports a day apart are either the same snapshot or two snapshots that rule protects against
  each other (snapshots move only in steps of 5 responses and are audited with the earlier ones).
- The file is generic over question codes: every closed question of the questionnaire is listed
  with its code, kind and option values. A module the round adds (ONS4 personal well-being,
  ``SurveyRound.questions``) travels as a part of its own, ``modules``: its key, version and
  questions, and the figures the board shows for it (people per ONS band, people who answered,
  the average), from the same protected snapshot; each score's own count does not travel,
  because the board never shows it.
- Compatibility is checked per part. The questionnaire part must match (same edition, version,
  closed questions and options); each module part the file carries must match the module of the
  same key and version here. A file with a module and one without still compare on the
  questionnaire's questions; a module's figures compare only among files that carry it (same
  key and version), and only in a round here that includes it.
- The council's name travels only when it opts in (``BenchmarkSettings.share_name``); otherwise
  the file carries a random install id, made once and kept. The first key seen for an install id
  is pinned: a later file claiming that id under another key is refused.
- Comparisons show your figure, the median and the range of the councils whose figure is shown
  (you included), in whole per cent, and only when at least ``MIN_COUNCILS`` contribute; never
  one other council's row, except by name in the cluster view, which lists only files whose
  council chose to share its name with the same cluster as this council.
"""

from __future__ import annotations

import json
import secrets
import statistics
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.board import services as board
from app.board import wellbeing
from app.board.benchmark import signing
from app.board.benchmark.models import BenchmarkFile, BenchmarkSettings, BenchmarkSigner
from app.core.clock import today
from app.core.disclosure import protection, share, threshold
from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.authority.services import get_settings
from surveys.models import Question, Questionnaire, SurveyRound
from surveys.services import wellbeing_module
from surveys.themes import services as theme_services
from surveys.wellbeing import MODULE_KEY

FORMAT = "belonging-benchmark"
FORMAT_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("benchmark-schema.json")  # docs/benchmark-schema.json
MIN_COUNCILS = 3
NOT_ENOUGH = "Not enough councils to compare yet"
MAX_FILE_BYTES = 2_000_000
DIFFERENT = "This file is for a different questionnaire: "


class BenchmarkRefused(Exception):
    """A file was not exported or imported; the message says why and what to do."""


# --- This install's settings ------------------------------------------------------------------


def settings(*, create: bool = False) -> BenchmarkSettings:
    """This install's benchmarking settings. The row (and its random install id) is made only
    by ``create``, when a file is exported or the settings are saved: a GET never writes, so
    until then pages read unsaved defaults (name not shared, no cluster, no install id)."""
    found = db.session.get(BenchmarkSettings, 1)
    if found is None and create:
        found = BenchmarkSettings(id=1, install_id=secrets.token_hex(16), share_name=False)
        db.session.add(found)
        db.session.commit()
    return found or BenchmarkSettings(id=1, install_id="", share_name=False, cluster="")


def save_settings(share_name: bool, cluster: str) -> BenchmarkSettings:
    current = settings(create=True)
    current.share_name = share_name
    current.cluster = cluster.strip()[:120]
    record("benchmark settings changed", current, detail=f"share name: {share_name}")
    db.session.commit()
    return current


# --- Export -----------------------------------------------------------------------------------


@cache
def _starter_themes() -> dict[str, str]:
    """The shared starter codebook's top-level theme keys and names: the codes every council's
    codebook starts from (and keeps: keys are stable across rounds)."""
    return {
        t["key"]: t["name"] for t in theme_services.starter_data()["themes"] if "parent" not in t
    }


def _closed(questionnaire: Questionnaire) -> list[Question]:
    return [q for q in questionnaire.questions if q.kind in board.CLOSED_KINDS]


def _option_values(question: Question) -> list[tuple[str, str]]:
    return board._options(question)  # the dashboard's one list of a question's options


def _question_parts(questions: list[Question]) -> list[dict[str, Any]]:
    return [
        {"code": q.code, "kind": q.kind, "options": [value for value, _ in _option_values(q)]}
        for q in questions
        if q.kind in board.CLOSED_KINDS
    ]


def _modules(survey_round: SurveyRound) -> list[dict[str, Any]]:
    """The parts for the round's modules (after ``board.analyse``: its snapshot is current)."""
    figures = wellbeing.exchange_figures(survey_round)
    if figures is None or survey_round.wellbeing_module is None:
        return []
    return [{**figures, "questions": _question_parts(survey_round.wellbeing_module.questions)}]


def figures(survey_round: SurveyRound, *, exporting: bool = False) -> dict[str, Any]:
    """The round's payload: what the board sees for all ages, as at its snapshot (``exporting``
    makes this install's id if it has none yet; a comparison on a page only reads)."""
    analysis = board.analyse(survey_round)
    questionnaire = survey_round.questionnaire
    current = settings(create=exporting)
    authority = None
    if current.share_name:
        authority = {"name": get_settings().name, "cluster": current.cluster}
    questions = []
    for code, (question, table) in analysis.closed.items():
        options = _option_values(question)
        entry: dict[str, Any] = {
            "code": code,
            "kind": question.kind,
            "options": [value for value, _ in options],
            "counts": {value: table.cell(label) for value, label in options},
        }
        if board.NOT_ANSWERED in table.rows:
            entry["did_not_answer"] = table.cell(board.NOT_ANSWERED)
        questions.append(entry)
    starter = _starter_themes()
    themes = [
        {
            "code": code,
            "coded": analysis.coded[code].cell("coded"),
            "counts": {key: table.cell(key) for key in table.rows if key in starter},
        }
        for code, table in analysis.themes.items()
        if code in analysis.coded
    ]
    return {
        "install_id": current.install_id,
        "authority": authority,
        "exported_on": today().isoformat(),
        "round": {
            "year": survey_round.opens_on.year,
            "as_at": analysis.as_at.isoformat(),
            "closed": survey_round.status == "closed",
        },
        "questionnaire": {
            "edition": questionnaire.key,
            "version": questionnaire.version,
            "title": questionnaire.title,
        },
        "disclosure": {"threshold": threshold(), "protection": protection()},
        "responses": analysis.channels.total,
        "response_rate": {"percent": board._rate(analysis)},  # the dashboard's headline rate
        "questions": questions,
        "themes": {"codebook": theme_services.starter_data()["name"], "questions": themes},
        "modules": _modules(survey_round),
    }


def export_file(survey_round: SurveyRound) -> tuple[str, bytes]:
    """The signed file for ``survey_round``: (a file name, its bytes)."""
    try:
        signature_payload = figures(survey_round, exporting=True)
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "payload": signature_payload,
            "signature": signing.sign(signature_payload),
        }
    except signing.SigningKeyMissing as error:
        raise BenchmarkRefused(str(error)) from error
    import jsonschema  # lazy on purpose (start-up): see _check_schema

    jsonschema.validate(document, _schema())  # our own files always follow the format
    record("benchmark exported", survey_round)
    db.session.commit()
    name = f"benchmark-{survey_round.slug}-{signature_payload['round']['as_at']}.json"
    return name, json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


# --- Import -----------------------------------------------------------------------------------


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _parse(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_FILE_BYTES:
        raise BenchmarkRefused("This file is too big to be a benchmarking file (over 2 MB)")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BenchmarkRefused(
            "This is not a benchmarking file: it is not JSON. Choose the .json file another "
            "council sent you"
        ) from error
    if not (
        isinstance(document, dict)
        and document.get("format") == FORMAT
        and isinstance(document.get("payload"), dict)
        and isinstance(document.get("signature"), dict)
    ):
        raise BenchmarkRefused(
            "This is not a benchmarking file from Belonging: it has no signed figures"
        )
    return document


def _check_signature(document: dict[str, Any]) -> None:
    if not signing.verify(document["payload"], document["signature"]):
        raise BenchmarkRefused(
            "The signature does not match: this file was changed after it was signed, or it "
            "is damaged. Ask the council that sent it for a fresh copy"
        )


def _check_schema(document: dict[str, Any]) -> None:
    # Imported here, not at the top: jsonschema (with referencing and rpds) is 3 MB and 0.07 s
    # that every process would pay at start, and only exporting or importing a file needs it.
    import jsonschema

    try:
        jsonschema.validate(document, _schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "the top"
        raise BenchmarkRefused(
            f"This file does not follow the benchmarking format ({where}: {error.message}). "
            "It may be from a newer version of Belonging"
        ) from error


def _check_compatible(payload: dict[str, Any]) -> Questionnaire:
    """The local questionnaire the file matches: same edition, version, questions, options."""
    edition, version = payload["questionnaire"]["edition"], payload["questionnaire"]["version"]
    title = payload["questionnaire"]["title"] or edition
    questionnaire = db.session.scalar(
        sa.select(Questionnaire).where(
            Questionnaire.key == edition, Questionnaire.version == version
        )
    )
    if questionnaire is None:
        raise BenchmarkRefused(
            f"{DIFFERENT}{title} ({edition}, version {version}), which no round here uses"
        )
    ours = {q.code: (q.kind, [v for v, _ in _option_values(q)]) for q in _closed(questionnaire)}
    theirs = {q["code"]: (q["kind"], q["options"]) for q in payload["questions"]}
    problems = [f"{code} is not in this install's questionnaire" for code in theirs.keys() - ours]
    problems += [f"{code} is missing from the file" for code in ours.keys() - theirs]
    problems += [
        f"{code} has different options"
        for code in sorted(ours.keys() & theirs.keys())
        if ours[code] != theirs[code]
    ]
    if problems:
        raise BenchmarkRefused(f"{DIFFERENT}{'; '.join(sorted(problems))}")
    return questionnaire


def _check_modules(payload: dict[str, Any]) -> None:
    """Each module part of the file matches the module of the same key and version here."""
    for part in payload.get("modules", []):
        key, version = part["key"], part["version"]
        module = db.session.scalar(
            sa.select(Questionnaire).where(
                Questionnaire.key == key, Questionnaire.version == version
            )
        )
        if module is None and key == MODULE_KEY:
            shipped = wellbeing_module()  # shipped with every install, loaded on first use
            module = shipped if shipped.version == version else None
        if module is None:
            raise BenchmarkRefused(
                f"This file's {part['title'] or key} module ({key}, version {version}) is not "
                "one this install has, so its figures could not be compared"
            )
        ours = {q["code"]: (q["kind"], q["options"]) for q in _question_parts(module.questions)}
        theirs = {q["code"]: (q["kind"], q["options"]) for q in part["questions"]}
        if ours != theirs:
            raise BenchmarkRefused(
                f"This file's {part['title'] or key} module ({key}, version {version}) has "
                "different questions or options from this install's"
            )


def _check_disclosure(payload: dict[str, Any]) -> None:
    if payload["disclosure"]["threshold"] < threshold():
        raise BenchmarkRefused(
            "This file shows counts smaller than this council may show (its smallest count is "
            f"{payload['disclosure']['threshold']}, ours {threshold()}), so it was not imported"
        )


def _pin_signer(payload: dict[str, Any], signature: dict[str, str]) -> BenchmarkSigner:
    install_id = payload["install_id"]
    signer = db.session.scalar(
        sa.select(BenchmarkSigner).where(BenchmarkSigner.install_id == install_id)
    )
    if signer is None:
        signer = BenchmarkSigner(
            install_id=install_id,
            public_key=signature["public_key"],
            fingerprint=signature["fingerprint"],
            first_seen_on=today(),
        )
        db.session.add(signer)
    elif signer.fingerprint != signature["fingerprint"]:
        raise BenchmarkRefused(
            "This file says it comes from a council whose earlier files were signed by a "
            f"different key (earlier {signer.fingerprint}, this file {signature['fingerprint']}). "
            "It was not imported: check with that council that the file is really theirs"
        )
    return signer


def import_file(raw: bytes) -> BenchmarkFile:
    """Check a file (signature, format, questionnaire, signer) and store its figures."""
    document = _parse(raw)
    _check_signature(document)
    _check_schema(document)
    payload = document["payload"]
    if payload["install_id"] == settings().install_id:
        raise BenchmarkRefused("This is this council's own file: import files from other councils")
    _check_disclosure(payload)
    _check_compatible(payload)
    _check_modules(payload)
    _pin_signer(payload, document["signature"])
    edition, version = payload["questionnaire"]["edition"], payload["questionnaire"]["version"]
    stored = db.session.scalar(
        sa.select(BenchmarkFile).where(
            BenchmarkFile.install_id == payload["install_id"],
            BenchmarkFile.edition == edition,
            BenchmarkFile.version == version,
        )
    )
    as_at = date.fromisoformat(payload["round"]["as_at"])
    if stored is not None and stored.as_at > as_at:
        db.session.rollback()
        raise BenchmarkRefused(
            "You already have a newer file from this council (figures as at "
            f"{stored.as_at:%-d %B %Y})"
        )
    stored = stored or BenchmarkFile(
        install_id=payload["install_id"], edition=edition, version=version
    )
    named = payload["authority"]
    stored.authority_name = named["name"] if named else None
    stored.cluster = named["cluster"] if named else None
    stored.as_at = as_at
    stored.imported_on = today()
    stored.payload = payload
    db.session.add(stored)
    record("benchmark imported", stored, detail=stored.authority_name or "a council (not named)")
    db.session.commit()
    return stored


def files(questionnaire: Questionnaire | None = None) -> list[BenchmarkFile]:
    query = sa.select(BenchmarkFile).order_by(BenchmarkFile.edition, BenchmarkFile.id)
    if questionnaire is not None:
        query = query.where(
            BenchmarkFile.edition == questionnaire.key,
            BenchmarkFile.version == questionnaire.version,
        )
    return list(db.session.scalars(query))


# --- Comparison -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """ "You and N other councils": one row per figure, with your figure, median and range."""

    others: int  # other councils with a file for this questionnaire
    table: board.Table
    message: str = ""  # NOT_ENOUGH when fewer than MIN_COUNCILS councils in all
    wellbeing: board.Table | None = None  # the module's figures, among files that carry it
    wellbeing_others: int = 0  # other councils whose file carries the round's module
    cluster: board.Table | None = None
    cluster_name: str = ""
    files: list[BenchmarkFile] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return not self.message


def _measures(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """(key, label) of every figure compared, in the order shown."""
    found = [("rate", "Response rate")]
    for question in _closed(questionnaire):
        for value, label in _option_values(question):
            found.append((f"{question.code}:{value}", f"{question.code}: {label}"))
    return found


def _module_measures(survey_round: SurveyRound) -> list[tuple[str, str]]:
    """(key, label) of the round's module figures, keyed by the module's key and version."""
    module = survey_round.wellbeing_module
    if module is None:
        return []
    return [
        (f"module:{module.key}:{module.version}:{key}", label)
        for key, label, _ in wellbeing.exchange_measures()
    ]


def _is_average(key: str) -> bool:
    return key.startswith("module:") and key.endswith(f":{wellbeing.MEAN}")


def _percents(payload: dict[str, Any]) -> dict[str, float | None]:
    """Each figure of a file as a percentage of its base (a module's average as it is, a score
    from 0 to 10); None where it is not shown."""
    found: dict[str, float | None] = {"rate": payload["response_rate"]["percent"]}
    base = payload["responses"]
    for question in payload["questions"]:
        for value, count in question["counts"].items():
            found[f"{question['code']}:{value}"] = share(count, base)
    for entry in payload["themes"]["questions"]:
        for key, count in entry["counts"].items():
            found[f"theme:{entry['code']}:{key}"] = share(count, entry["coded"])
    for part in payload.get("modules", []):
        prefix = f"module:{part['key']}:{part['version']}"
        for measure in part["wellbeing"]:
            found[f"{prefix}:{measure['code']}:{wellbeing.MEAN}"] = measure["mean"]
            for key, count in measure["bands"].items():
                found[f"{prefix}:{measure['code']}:{key}"] = share(count, measure["answered"])
    return found


def _theme_measures(payloads: list[dict[str, Any]]) -> list[tuple[str, str]]:
    starter = _starter_themes()
    codes = sorted({e["code"] for p in payloads for e in p["themes"]["questions"]})
    return [
        (f"theme:{code}:{key}", f"{code} theme: {name}")
        for code in codes
        for key, name in starter.items()
    ]


def _pct(value: float | None, key: str = "") -> str:
    if value is None:
        return "not shown"
    return f"{value:.1f}" if _is_average(key) else f"{round(value)}%"


def _rows(
    measures: list[tuple[str, str]], yours: dict[str, float | None], theirs: list[dict]
) -> list[list]:
    """Per figure: yours, the median and range of the councils whose figure is shown (you
    included), and how many they are; "not enough" below MIN_COUNCILS."""
    rows: list[list] = []
    for key, label in measures:
        own = yours.get(key)
        shown = [value for p in theirs if (value := p.get(key)) is not None]
        if own is None or len(shown) + 1 < MIN_COUNCILS:
            rows.append([label, _pct(own, key), NOT_ENOUGH, "", len(shown) + (own is not None)])
            continue
        values = [own, *shown]
        rows.append(
            [
                label,
                _pct(own, key),
                _pct(statistics.median(values), key),
                f"{_pct(min(values), key)} to {_pct(max(values), key)}",
                len(values),
            ]
        )
    return rows


def compare(survey_round: SurveyRound) -> Comparison:
    """This round beside every imported file for the same questionnaire."""
    mine = figures(survey_round)
    stored = files(survey_round.questionnaire)
    payloads = [f.payload for f in stored]
    measures = _measures(survey_round.questionnaire) + _theme_measures([mine, *payloads])
    yours = _percents(mine)
    theirs = [_percents(p) for p in payloads]
    headers = ["Figure", "You", "Median", "Range", "Councils"]
    rows = _rows(measures, yours, theirs)
    caption = f"You and {len(stored)} other councils ({survey_round.questionnaire.label})"
    comparison = Comparison(
        others=len(stored),
        table=board.Table(caption=caption, headers=headers, rows=rows),
        message="" if len(stored) + 1 >= MIN_COUNCILS else NOT_ENOUGH,
        files=stored,
    )
    module_measures = _module_measures(survey_round)
    if module_measures:
        prefix = module_measures[0][0].rsplit(":", 2)[0]  # "module:<key>:<version>"
        carrying = [t for t in theirs if any(k.startswith(f"{prefix}:") for k in t)]
        comparison.wellbeing_others = len(carrying)
        comparison.wellbeing = board.Table(
            caption=(
                f"Personal well-being: you and {len(carrying)} other councils whose figures "
                "include the module (average score from 0 to 10, and share in each ONS band)"
            ),
            headers=headers,
            rows=_rows(module_measures, yours, carrying),
        )
    _add_cluster(comparison, mine, stored, measures + module_measures)
    return comparison


def _add_cluster(comparison, mine, stored: list[BenchmarkFile], measures) -> None:
    """Named councils of this council's cluster, by name: only when this council shares its
    name with that cluster too, and only files whose council chose the same cluster."""
    current = settings()
    cluster = current.cluster.strip()
    if not (current.share_name and cluster):
        return
    named = [
        f
        for f in stored
        if f.authority_name and (f.cluster or "").strip().casefold() == cluster.casefold()
    ]
    if not named:
        return
    columns = [_percents(mine), *(_percents(f.payload) for f in named)]
    comparison.cluster_name = cluster
    comparison.cluster = board.Table(
        caption=f"Councils in {cluster} that share their names",
        headers=[
            "Figure",
            f"{get_settings().name} (you)",
            *(f.authority_name or "" for f in named),
        ],
        rows=[[label, *(_pct(c.get(key), key) for c in columns)] for key, label in measures],
    )


def fingerprint_of(body: bytes) -> str:
    return str(json.loads(body)["signature"]["fingerprint"])


def describe(stored: BenchmarkFile) -> str:
    """A file in a sentence: whose (by name only if shared), which questionnaire, as at when."""
    who = stored.authority_name or f"a council not named (install {stored.install_id[:8]})"
    return (
        f"figures from {who} for {stored.edition} version {stored.version}, "
        f"as at {stored.as_at:%-d %B %Y}"
    )
