"""Contacts pages: the list, one contact with their history, add and change, erase, import.

Admins and participation workers only: this is personal data. Every view is audited in the
service functions (contact_page, view_contact, ...), not here.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse

from app.core.extensions import db
from app.core.jobs import enqueue_after_commit
from app.core.mapping import posted_columns
from app.core.pages import page_arg, render_page_or_partial
from app.outreach.contacts import history, importing, tasks
from app.outreach.contacts import services as contacts
from app.outreach.contacts.forms import (
    ContactFilterForm,
    ContactForm,
    DiscardForm,
    EraseForm,
    ImportForm,
    MappingForm,
    UploadForm,
)
from app.outreach.contacts.groups import GROUPS
from app.outreach.contacts.models import CHANNEL_LABELS, LEGAL_STATUS_LABELS, Contact
from app.staff.auth.access import allow
from app.staff.auth.models import Role

bp = Blueprint("contacts", __name__)

CONTACT_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)


def _contact(contact_id: int) -> Contact:
    contact = contacts.get_contact(contact_id)
    if contact is None:
        abort(404)
    return contact


@bp.get("/staff/contacts")
@allow(*CONTACT_STAFF)
def index():
    form = ContactFilterForm(request.args)
    form.team.choices = [("", "Any team")] + [(t, t) for t in contacts.teams()]
    filters = contacts.ContactFilter()
    if form.validate():
        filters = contacts.ContactFilter(
            search=form.search.data or "",
            team=form.team.data or "",
            age_band=form.age_band.data or "",
            in_touch=form.in_touch.data or "",
        )
    page = contacts.contact_page(filters, page_arg())
    return render_page_or_partial(
        "contacts/index.html",
        "contacts/_partials/table.html",
        form=form,
        contacts=page,
        quality=contacts.data_quality(),
        legal_labels=LEGAL_STATUS_LABELS,
    )


@bp.route("/staff/contacts/new", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def new_contact():
    form = ContactForm(in_touch=True)
    return _save(form, None)


@bp.route("/staff/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def edit_contact(contact_id: int):
    contact = contacts.view_contact(_contact(contact_id))
    form = ContactForm(obj=contact)
    # The field is text: a stored date shows (and, if a post leaves the field out, stays) as
    # the day/month/year people type.
    if isinstance(form.date_of_birth.data, date):
        form.date_of_birth.data = form.date_of_birth.data.strftime("%d/%m/%Y")
    return _save(form, contact)


def _save(form: ContactForm, contact: Contact | None):
    error = None
    if form.validate_on_submit():
        try:
            saved = contacts.save_contact(contact, form.raw())
        except contacts.ContactInvalid as exc:
            error = str(exc)
        else:
            flash("Contact saved")
            return redirect(url_for("contacts.contact", contact_id=saved.id))
    return render_template(
        "contacts/form.html", form=form, contact=contact, error=error, groups=GROUPS
    ), (400 if error or form.errors else 200)


@bp.get("/staff/contacts/<int:contact_id>")
@allow(*CONTACT_STAFF)
def contact(contact_id: int):
    found = contacts.view_contact(_contact(contact_id))
    return render_template(
        "contacts/contact.html",
        contact=found,
        history=history.history(found),
        legal_labels=LEGAL_STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        groups=[g.label for g in GROUPS if getattr(found, g.field)],
        preferred_language=contacts.language_name(found.preferred_language),
    )


@bp.route("/staff/contacts/<int:contact_id>/erase", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def erase(contact_id: int):
    found = _contact(contact_id)
    form = EraseForm()
    if form.validate_on_submit():
        if form.confirm.data == "yes":
            history.erase_contact(found)
            flash("The contact's details and history were erased. The round counts are kept.")
            return redirect(url_for("contacts.index"))
        return redirect(url_for("contacts.contact", contact_id=found.id))
    return render_template("contacts/erase.html", contact=found, form=form), (
        400 if form.errors else 200
    )


# --- Import ------------------------------------------------------------------------------------


@bp.route("/staff/contacts/import", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def upload():
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        sent = request.files.get("file")
        try:
            if sent is None or not sent.filename:
                raise importing.ImportInvalid("Choose a CSV or Excel file to upload")
            found = importing.start_upload(sent.filename, sent.read())
        except importing.ImportInvalid as exc:
            error = str(exc)
        else:
            return redirect(url_for("contacts.mapping", upload_id=found.id))
    return render_template(
        "contacts/upload.html", form=form, error=error, reports=importing.recent_reports()
    ), (400 if error else 200)


def _upload(upload_id: int):
    found = importing.get_upload(upload_id)
    if found is None:
        abort(404)
    return found


@bp.route("/staff/contacts/import/<int:upload_id>/mapping", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def mapping(upload_id: int):
    found = _upload(upload_id)
    form = MappingForm()
    error = None
    if form.validate_on_submit():
        columns = posted_columns(request.form, found.headers)
        try:
            importing.save_mapping(found, columns)
        except importing.ImportInvalid as exc:
            error = str(exc)
        else:
            return redirect(url_for("contacts.preview", upload_id=found.id))
    return render_template(
        "contacts/mapping.html",
        upload=found,
        form=form,
        error=error,
        targets=importing.TARGETS,
        sample=found.rows[:3],
    ), (400 if error else 200)


@bp.route("/staff/contacts/import/<int:upload_id>/preview", methods=["GET", "POST"])
@allow(*CONTACT_STAFF)
def preview(upload_id: int):
    found = _upload(upload_id)
    form = ImportForm()
    if form.validate_on_submit():  # a job saves the rows; the report shows how far it is
        report, new = importing.begin_import(found)
        if new:
            enqueue_after_commit(tasks.import_contacts, report.id)
            db.session.commit()
        return redirect(url_for("contacts.import_report", report_id=report.id))
    return render_template(
        "contacts/preview.html",
        upload=found,
        form=form,
        discard=DiscardForm(),
        preview=importing.check_rows(found),
        shown=importing.MAX_PROBLEMS_SHOWN,
    )


@bp.post("/staff/contacts/import/<int:upload_id>/discard")
@allow(*CONTACT_STAFF)
def discard(upload_id: int):
    found = _upload(upload_id)
    if DiscardForm().validate_on_submit():
        try:
            importing.discard(found)
        except importing.ImportInvalid as exc:
            flash(f"{exc}.")
        else:
            flash("Import cancelled. Nothing was imported.")
    return redirect(url_for("contacts.index"))


@bp.get("/staff/contacts/import/<int:upload_id>/problems.csv")
@allow(*CONTACT_STAFF)
def preview_csv(upload_id: int):
    found = _upload(upload_id)
    return _csv(importing.report_csv(importing.check_rows(found).report()), found.filename)


@bp.get("/staff/contacts/import/reports/<int:report_id>")
@allow(*CONTACT_STAFF)
def import_report(report_id: int):
    report = importing.get_report(report_id)
    if report is None:
        abort(404)
    return render_page_or_partial(
        "contacts/import_report.html", "contacts/_partials/import_progress.html", report=report
    )


@bp.get("/staff/contacts/import/reports/<int:report_id>.csv")
@allow(*CONTACT_STAFF)
def import_report_csv(report_id: int):
    report = importing.get_report(report_id)
    if report is None:
        abort(404)
    return _csv(importing.report_csv(report.lines), report.filename)


def _csv(data: bytes, filename: str) -> HttpResponse:
    stem = "".join(c for c in filename.rsplit(".", 1)[0] if c.isalnum() or c in "-_")[:60]
    return HttpResponse(
        data,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="import-problems-{stem or "file"}.csv"',
            "Cache-Control": "no-store",
        },
    )
