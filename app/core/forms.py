"""The base class for every form: Flask-WTF with CSRF, plus input hygiene for all text fields.

Text is stripped of NUL and other control characters (keeping new lines and tabs; see
app.core.text.strip_controls) before any validator sees it: PostgreSQL refuses NUL in text, and
no person means to type a control code.
"""

from __future__ import annotations

from typing import Any, Self

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField, validators
from wtforms.validators import StopValidation, ValidationError

from app.core import phones
from app.core.text import strip_controls


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # strip_controls first, then the field's own filters: they are the field's
            # keyword arguments, which a "filters" option would replace, not add to.
            own = unbound_field.kwargs.get("filters", ())
            options["filters"] = (strip_controls, *options.pop("filters", ()), *own)
            return unbound_field.bind(form=form, **options)

    @classmethod
    def blank(cls, **data: Any) -> Self:
        """A form for the next thing to fill in, never read from the request just posted.

        Flask-WTF fills a form from ``request.form`` whenever one is built during a POST. A page
        that saves and then shows the next item in the same response (the htmx coding queue)
        must start that next form empty, or the previous item's ticks carry over and are saved
        again: build it with ``blank()``.
        """
        return cls(formdata=None, **data)


class InputRequired(validators.InputRequired):
    """WTForms' InputRequired, for which a box of only spaces (or line breaks) is filled in: a
    box that looks empty is refused here, with the field's own message, rather than later by
    the service, which would be a 500. Every form imports it from here: the one rule."""

    def __call__(self, form, field) -> None:
        super().__call__(form, field)
        raw = field.raw_data[0] if field.raw_data else None
        if isinstance(raw, str) and not raw.strip():
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("This field is required."))


class ConfirmForm(BaseForm):
    """Just a button and a CSRF token: open a round, reset a password, remove, copy, move."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class MobileNumber:
    """A WTForms validator: an empty field passes (add InputRequired to need one); anything else
    must be a mobile we could text (app.core.phones, the one phone rule)."""

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            return
        try:
            phones.normalise_mobile(field.data)
        except phones.NumberInvalid:
            raise ValidationError(f"Enter a mobile number, like {phones.EXAMPLE}") from None
