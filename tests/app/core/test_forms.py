"""The base form: control codes stripped from every field, a field's own filters kept, and a
required box of only spaces refused."""

from __future__ import annotations

import re
from pathlib import Path

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from app.core.forms import BaseForm, InputRequired


class _Shouting(BaseForm):
    class Meta:
        csrf = False

    word = StringField(filters=[lambda text: text.upper() if text else text])
    plain = StringField()


def test_a_fields_own_filter_runs_after_control_codes_are_stripped(app):
    with app.test_request_context():
        form = _Shouting(formdata=MultiDict({"word": "he\x00llo", "plain": "a\x1bb"}))
    assert form.word.data == "HELLO"  # its own filter (was dropped by the base form)
    assert form.plain.data == "ab"


class _Named(BaseForm):
    class Meta:
        csrf = False

    name = StringField(validators=[InputRequired("Enter a name")])


def test_a_required_box_of_only_spaces_is_refused_with_its_own_message(app):
    with app.test_request_context():
        for blank in ("   ", "\n \t", ""):
            form = _Named(formdata=MultiDict({"name": blank}))
            assert not form.validate()
            assert form.name.errors == ["Enter a name"], blank
        assert _Named(formdata=MultiDict({"name": " Sam "})).validate()


def test_every_form_takes_the_one_required_rule():
    """InputRequired comes from app.core.forms, never straight from WTForms (which lets a box of
    spaces through to the service)."""
    root = Path(__file__).parents[3]
    sources = [p for area in ("app", "surveys", "forum") for p in (root / area).rglob("*.py")]
    straight = [
        str(p.relative_to(root))
        for p in sources
        if re.search(r"from wtforms\.validators import [^\n]*\bInputRequired\b", p.read_text())
        or re.search(r"from wtforms\.validators import \([^)]*\bInputRequired\b", p.read_text())
    ]
    assert straight == [], straight
