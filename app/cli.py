"""Flask CLI commands: `flask users create-admin`, `flask demo seed`, `flask jobs worker`,
`flask backup create|restore`, `flask translations extract|pseudo|compile` and
`flask sms rotate-key` (here because it takes the numbers to move from the contact list, a layer
above the SMS tables)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.board.benchmark.cli import benchmark_cli
from app.board.cli import board_cli
from app.core import backups, catalogues, jobs, languages
from app.demo import DEMO_ACCOUNTS, seed_demo
from app.messaging.cli import worker as sms_worker
from app.messaging.keys import current_key_id
from app.messaging.services import queued_numbers
from app.outreach.contacts.services import contact_mobiles
from app.outreach.invitations.cli import invitations_cli
from app.staff.auth.models import Role
from app.staff.auth.services import AccountInvalid, create_user
from surveys import translations
from surveys.safeguarding.cli import safeguarding_cli
from surveys.services import SHIPPED, rounds
from surveys.sms.cli import sms_cli
from surveys.sms.services import rotate_key
from surveys.themes.cli import themes_cli
from surveys.translator import services as translator
from surveys.web.cli import sign_ups_cli
from surveys.wellbeing import MODULE_KEY

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Fictional demo data.")
backup_cli = AppGroup("backup", help="Back up the database, or restore a backup.")
jobs_cli = AppGroup("jobs", help="Background jobs (board packs, emails, reminders, texts).")
translations_cli = AppGroup("translations", help="The public pages' wording in other languages.")


@translations_cli.command("extract")
def translations_extract() -> None:
    """Write app/translations/messages.pot from the public pages; update the PO files."""
    catalogues.extract()
    click.echo(f"Wrote {catalogues.TEMPLATE.relative_to(catalogues.ROOT)}.")


@translations_cli.command("pseudo")
def translations_pseudo() -> None:
    """Regenerate the test languages (en-XA, ar-XB): PO files and questionnaire wording."""
    written = catalogues.write_pseudo()
    for key in (*SHIPPED, MODULE_KEY):  # the editions and the well-being module
        for code, transform in catalogues.PSEUDO.items():
            written.append(translations.write_generated(key, code, transform))
    for path in written:
        click.echo(f"Wrote {path.relative_to(catalogues.ROOT)}.")


@translations_cli.command("compile")
def translations_compile() -> None:
    """Build the .mo files the app reads from each PO file (make install runs this)."""
    for path in catalogues.compile_all():
        click.echo(f"Compiled {path.relative_to(catalogues.ROOT)}.")


@translations_cli.command("export")
@click.argument("language")
@click.option(
    "--format", "kind", type=click.Choice(["po", "xlsx"]), default="po", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False), help="Default: belonging-LANG.po/xlsx")
def translations_export(language: str, kind: str, output: str | None) -> None:
    """Write LANGUAGE's strings and questionnaire wording for a translator (English, where each
    is used, the current translation)."""
    try:
        chosen = translator.translatable(language)
    except translator.LanguageUnknown:
        codes = ", ".join(lang.code for lang in languages.offered() if lang.code != "en")
        message = f"{language} is not a language here. Choose one of: {codes}"
        raise click.ClickException(message) from None
    body = translator.export_po(chosen) if kind == "po" else translator.export_xlsx(chosen)
    path = Path(output or f"belonging-{chosen.code}.{kind}")
    path.write_bytes(body)
    click.echo(f"Wrote {path} ({len(translator.entries(chosen))} strings).")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.option("--name", prompt=True, help="The admin's full name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters.",
)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account (the first one, or another)."""
    try:
        create_user(email, name, Role.ADMIN, password, must_change=False)
    except AccountInvalid as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Admin account created for {email.strip().lower()}.")


@demo_cli.command("seed")
def seed() -> None:
    """Create (or refresh) the fictional Northbridge demo; prints the demo sign-in details."""
    if current_app.config.get("HSTS"):
        raise click.ClickException("Refusing to load demo data into a production configuration.")
    seed_demo()
    url = current_app.config["PUBLIC_BASE_URL"]
    click.echo("")
    click.echo("Belonging demo: Northbridge City Council (fictional demo data)")
    click.echo(f"Open {url}/sign-in and sign in as any of these demo staff:")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.label:<22} {account.email:<34} password: {account.password}")
    for survey_round in rounds():
        if survey_round.is_open:
            click.echo(
                f"Answer the open survey as a care leaver would: {url}/s/{survey_round.slug}"
            )
    click.echo("")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Jobs run at once (default HUEY_WORKERS).")
def jobs_worker(workers: int | None) -> None:
    """Run the job consumer: every task and the periodic jobs. Stop it with SIGTERM or Ctrl-C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        jobs.run_consumer(app, workers)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path: Path | None) -> None:
    """Back up the whole database to PATH (default: BACKUP_DIR/belonging-<time>.<sqlite|dump>)."""
    try:
        written = backups.create(path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up the database to {written} ({written.stat().st_size} bytes).")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
def backup_restore(file: Path, force: bool) -> None:
    """Replace the database's contents with the backup FILE (refuses a non-empty database)."""
    try:
        restored = backups.restore(file, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {restored.path}: the database now holds {restored.rows} rows.")


@click.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Move stored phone hashes onto the current SMS_HMAC_KEY (old keys in SMS_HMAC_OLD_KEYS)."""
    rotation = rotate_key(contact_mobiles() | queued_numbers())
    moved = ", ".join(f"{n} in {table}" for table, n in rotation.moved.items())
    click.echo(f"Moved onto key {current_key_id()}: {moved}.")
    if not rotation.left:
        click.echo("No stored hash uses an old key: you may remove SMS_HMAC_OLD_KEYS.")
        return
    for table, per_key in rotation.left.items():
        for key_id, n in sorted(per_key.items()):
            click.echo(f"Still under key {key_id}: {n} in {table} (numbers we do not hold).")
    click.echo(
        "Keep those keys in SMS_HMAC_OLD_KEYS: they still guard these opt-outs, and each moves "
        "to the new key when its number next texts."
    )


def init_app(app: Flask) -> None:
    sms_cli.add_command(sms_worker)
    sms_cli.add_command(rotate_key_command)
    for group in (
        backup_cli,
        users_cli,
        demo_cli,
        jobs_cli,
        safeguarding_cli,
        sms_cli,
        invitations_cli,
        sign_ups_cli,
        themes_cli,
        board_cli,
        benchmark_cli,
        translations_cli,
    ):
        app.cli.add_command(group)
