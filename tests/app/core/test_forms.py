"""The base form: control codes stripped from every field, and a field's own filters kept."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from app.core.forms import BaseForm


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
