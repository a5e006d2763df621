"""The translator workflow: export (PO, XLSX, `flask translations export`), import back with
validation, and "checked by a translator" set by an admin, audited, and still guarding help
wording after an import."""

from __future__ import annotations

import io

import sqlalchemy as sa
from babel.messages.pofile import read_po, write_po

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from surveys.translator.models import LanguageStatus, TranslationText
from tests.surveys.conftest import make_open_round
from tests.surveys.sms.twilio_fakes import (
    Phone,
    twilio_app,  # noqa: F401 - the app fixture
)

HELP = "Samaritans 116 123. Text SHOUT to 85258. All free. In danger, call 999."
CLOSING = "Thank you. Your answers have been sent. See what we do with them: %(link)s"


def _catalog(data: bytes):
    return read_po(io.BytesIO(data))


def _po(entries: list[tuple[str | None, str, str]]) -> bytes:
    """A PO file as a translator sends it back: (context, English, translation)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog()
    for context, english, text in entries:
        catalog.add(english, text, context=context)
    out = io.BytesIO()
    write_po(out, catalog)
    return out.getvalue()


def _upload(client, code: str, name: str, data: bytes):
    return client.post(
        f"/staff/translations/{code}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_po_export_has_english_context_and_the_current_translation(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    response = client.get("/staff/translations/en-XA.po")
    assert response.status_code == 200
    assert 'filename="belonging-en-XA.po"' in response.headers["Content-Disposition"]
    catalog = _catalog(response.data)
    closing = catalog.get(CLOSING)
    assert closing is not None and closing.string.startswith("[Ţĥåñķ ýöû.")
    assert any("surveys/sms/conversation.py" in c for c in closing.auto_comments)
    question = catalog.get("Are you male or female?", context="new-belongings-2015/Q3/web_text")
    assert question is not None and question.string.startswith("[Åŕé ýöû ɱåļé")
    option = catalog.get("Male", context="new-belongings-2015/Q3/options/1")
    assert option is not None and "Q3: an answer to choose" in option.auto_comments[0]


def test_the_xlsx_export_and_the_command_line_export(app, logged_in_as, tmp_path):
    from openpyxl import load_workbook

    client = logged_in_as(Role.ADMIN)
    response = client.get("/staff/translations/ar-XB.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Translations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Key", "Where it is used", "English", "Translation")
    by_key = {(r[0] or "", r[2]): r for r in rows[1:]}
    assert ("new-belongings-2015/Q3/web_text", "Are you male or female?") in by_key
    assert by_key[("", CLOSING)][3].startswith("تجربة")

    out = tmp_path / "ar.po"
    result = app.test_cli_runner().invoke(
        args=["translations", "export", "ar-XB", "--format", "po", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    assert _catalog(out.read_bytes()).get(CLOSING) is not None
    result = app.test_cli_runner().invoke(args=["translations", "export", "xx"])
    assert result.exit_code != 0 and "not a language here" in result.output


def test_an_import_is_refused_whole_for_an_unknown_key_or_a_broken_placeholder(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    data = _po(
        [
            (None, "Sorry, we did not understand that.", "Désolé, on n'a pas compris."),
            (None, "A string we never wrote", "Inconnu"),
            (None, CLOSING, "Merci. Voir: %(lien)s"),
            (None, "Text %(keyword)s to start the survey.", "Envoyez %(keyword pour commencer."),
            ("new-belongings-2015/Q99/web_text", "Are you male or female?", "Êtes-vous ?"),
        ]
    )
    response = _upload(client, "en-XA", "back.po", data)
    assert response.status_code == 400
    page = response.text
    assert "Nothing was imported" in page
    assert "we do not know" in page and "A string we never wrote" in page
    assert "new-belongings-2015/Q99/web_text" in page
    assert page.count("placeholders must be exactly the English") == 2
    assert "Line " in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TranslationText.id))) == 0


def test_an_xlsx_import_names_the_row(app, logged_in_as):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Translations"
    sheet.append(["Key", "Where it is used", "English", "Translation"])
    sheet.append(["", "", "Sorry, we did not understand that.", "Pardon ?"])
    sheet.append(["", "", CLOSING, "Merci : %(link)"])
    out = io.BytesIO()
    book.save(out)
    response = _upload(logged_in_as(Role.ADMIN), "en-XA", "back.xlsx", out.getvalue())
    assert response.status_code == 400
    assert "Row 3: its placeholders must be exactly the English" in response.text


def test_an_imported_translation_is_used_but_help_stays_english_until_checked(
    app, client, logged_in_as
):
    round_id = make_open_round(app, channels=("web", "sms"))
    assert round_id
    admin = logged_in_as(Role.ADMIN)  # signs in ``client``; the phone texts from its own
    data = _po(
        [
            (None, "Sorry, we did not understand that.", "IMPORTED: not understood."),
            (None, HELP, "IMPORTED HELP 116 123 999."),
            ("new-belongings-2015/Q1/sms_text", _english_sms_q1(app), "IMPORTED Q1?"),
        ]
    )
    response = _upload(admin, "en-XA", "back.po", data)
    assert response.status_code == 302
    assert "3 translations imported" in admin.get("/staff/translations").text

    phone = Phone(app.test_client())  # anonymous: not signed in
    first = phone.say("LANG XA")
    assert "IMPORTED Q1?" in first
    help_reply = phone.say("HELP")
    assert HELP in help_reply and "IMPORTED HELP" not in help_reply  # unchecked: English

    page = admin.get("/staff/translations").text
    assert "Checked by a translator" in page
    response = admin.post("/staff/translations/en-XA/checked", data={"checked": "yes"})
    assert response.status_code == 302
    assert "IMPORTED HELP 116 123 999." in phone.say("HELP")  # checked: translated
    with app.app_context():
        assert db.session.get(LanguageStatus, "en-XA").checked is True
        audit = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action.like("translations.%"))
        ).all()
    assert "checked by a translator: yes" in audit
    assert any(d.startswith("3 strings from back.po") for d in audit)


def test_only_admins_set_checked_and_the_status_is_shown(app, logged_in_as):
    worker = logged_in_as(Role.PARTICIPATION_WORKER)
    page = worker.get("/staff/translations").text
    assert "Checked by a translator" in page and "No" in page
    assert "Has a translator checked this language?" not in page
    refused = worker.post("/staff/translations/ar-XB/checked", data={"checked": "yes"})
    assert refused.status_code == 403
    assert worker.get("/staff/translations/en.po").status_code == 404


def _english_sms_q1(app) -> str:
    import tomllib

    from surveys import translations

    path = translations.TRANSLATIONS_DIR.parent / "new-belongings-2015.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return next(q["sms_text"] for q in data["questions"] if q["code"] == "Q1")
