"""A cohort's letters PDF made by a job in parts (app/outreach/invitations/letter_runs.py):
progress a person can watch with or without JavaScript, one tagged PDF at the end."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.outreach.contacts.models import ContactMessage
from app.outreach.invitations.letter_runs import LetterRun
from app.staff.auth.models import Role
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all
from tests.surveys.conftest import make_open_round

LETTERS = 7  # three parts of 3, 3 and 1


@pytest.fixture
def cohort(app, tmp_path):
    app.config.update(LETTERS_PER_PART=3, LETTERS_DIR=str(tmp_path / "letters"))
    round_id = make_open_round(app)
    add_contacts(app, LETTERS)
    invite_all(app, round_id, ("letter",))
    return round_id


def test_more_letters_than_a_part_are_made_by_a_job_with_progress(
    app, cohort, logged_in_as, job_queue
):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    base = f"/staff/rounds/{cohort}/invitations"
    page = client.get(base).get_data(as_text=True)
    assert f"Print {LETTERS} letters waiting: make the PDF" in page
    assert f'href="{base}/letters.pdf"' not in page  # no download that would time out
    # An old link to the direct download says what to do instead of timing out.
    old = client.get(f"{base}/letters.pdf")
    assert old.status_code == 302 and old.location.endswith(base)

    started = client.post(f"{base}/letters/runs", data={"which": "waiting"})
    assert started.status_code == 302
    progress_url = started.location
    waiting = client.get(progress_url).get_data(as_text=True)
    assert f"0 of {LETTERS} letters made" in waiting
    assert '<meta http-equiv="refresh" content="5">' in waiting  # without JavaScript
    assert 'hx-trigger="every 2s"' in waiting  # with htmx
    fragment = client.get(progress_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="letter-run"') and "<html" not in fragment

    assert job_queue() == 1
    ready = client.get(progress_url).get_data(as_text=True)
    assert f"The PDF of {LETTERS} letters is ready" in ready
    assert "http-equiv" not in ready and "hx-trigger" not in ready
    download = client.get(f"{progress_url}/letters.pdf")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    with pikepdf.open(io.BytesIO(download.data)) as pdf:
        assert len(pdf.pages) == LETTERS
        _check_one_structure_tree(pdf)
    with app.app_context():
        # Making the PDF marks nothing printed, and the parts are gone.
        assert set(db.session.scalars(sa.select(ContactMessage.status))) == {"queued"}
        run = db.session.scalars(sa.select(LetterRun)).one()
        assert (run.status, run.done, run.total) == ("done", LETTERS, LETTERS)
    assert [p.name for p in Path(app.config["LETTERS_DIR"]).iterdir()] == [run.file_name]


def _check_one_structure_tree(pdf: pikepdf.Pdf) -> None:
    """Every page's tags are in the one tree: its marked content has a parent tree entry, and
    each structure element on a page names a page of this file."""
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    keys = {int(nums[i]) for i in range(0, len(nums), 2)}
    pages = {page.obj.objgen for page in pdf.pages}
    page_keys = [int(page.obj.StructParents) for page in pdf.pages]
    assert len(set(page_keys)) == len(page_keys) and set(page_keys) <= keys
    figures, seen_pages = 0, set()

    def walk(node):
        nonlocal figures
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if "/Pg" in kid:
                    assert kid.Pg.objgen in pages
                    seen_pages.add(kid.Pg.objgen)
                if kid.S == "/Figure":
                    figures += 1
                    assert str(kid.get("/Alt", "")).strip()
                walk(kid)

    walk(root)
    assert seen_pages == pages
    assert figures >= LETTERS  # each letter's QR code at least
    assert str(pdf.Root.Lang) and bool(pdf.Root.MarkInfo.Marked)


def test_a_newer_run_replaces_the_older_file(app, cohort, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    base = f"/staff/rounds/{cohort}/invitations"
    first = client.post(f"{base}/letters/runs", data={"which": "all"}).location
    assert client.get(f"{first}/letters.pdf").status_code == 200
    second = client.post(f"{base}/letters/runs", data={"which": "all"}).location
    assert client.get(f"{second}/letters.pdf").status_code == 200
    assert client.get(f"{first}/letters.pdf").status_code == 404
    assert "replaced by a newer one" in client.get(first).get_data(as_text=True)
    # Another round's id in the address finds nothing.
    other = first.replace(f"/rounds/{cohort}/", f"/rounds/{cohort + 1}/")
    assert client.get(other).status_code == 404
