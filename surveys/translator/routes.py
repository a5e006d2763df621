"""Staff pages for translations: status per language, export for a translator, import back."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask import Response as HttpResponse

from app.core.languages import Language
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.translator import services
from surveys.translator.forms import CheckedForm, ImportForm

bp = Blueprint("translator", __name__)

TRANSLATION_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)
MIMETYPES = {
    "po": "text/x-gettext-translation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _language(code: str) -> Language:
    try:
        return services.translatable(code)
    except services.LanguageUnknown:
        abort(404)


@bp.get("/staff/translations")
@allow(*TRANSLATION_STAFF)
def index():
    return _page(ImportForm(formdata=None), None, None)


@bp.get("/staff/translations/<code>.<any(po, xlsx):kind>")
@allow(*TRANSLATION_STAFF)
def export(code: str, kind: str):
    language = _language(code)
    body = services.export_po(language) if kind == "po" else services.export_xlsx(language)
    return HttpResponse(
        body,
        mimetype=MIMETYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="belonging-{code}.{kind}"'},
    )


@bp.post("/staff/translations/<code>/import")
@allow(*TRANSLATION_STAFF)
def import_file(code: str):
    language = _language(code)
    form = ImportForm()
    upload = form.file.data
    if not form.validate_on_submit() or not upload or not upload.filename:
        return _page(form, code, ["Choose the translated file to upload"])
    try:
        count = services.import_file(language, upload.filename, upload.read())
    except services.ImportInvalid as exc:
        return _page(form, code, exc.errors)
    flash(f"{count} translations imported for {language.name}.")
    return redirect(url_for("translator.index"))


@bp.post("/staff/translations/<code>/checked")
@allow(Role.ADMIN)
def set_checked(code: str):
    language = _language(code)
    form = CheckedForm()
    if form.validate_on_submit():
        services.set_checked(language, form.checked.data == "yes")
        flash(f"Saved: {language.name} checked by a translator: {form.checked.data}.")
    return redirect(url_for("translator.index"))


def _page(form: ImportForm, code: str | None, errors: list[str] | None):
    return render_template(
        "surveys/translator/index.html",
        states=services.states(),
        form=form,
        checked_form=CheckedForm,
        failed_code=code,
        errors=errors or [],
    ), (400 if errors else 200)
