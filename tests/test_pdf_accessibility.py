"""Every PDF the product makes is tagged for screen readers (PDF/UA-1, app/core/pdf.py).

Councils must publish accessible board papers, and a young person with a screen reader may be
sent a letter or a paper form. Each kind of PDF (board pack, paper form, large-print form,
invitation letter, "you said, we did" poster) is read back with pikepdf: a structure tree, the
document language, a title the viewer shows, "marked" content, alt text on every figure, and
the structure in the order the page reads.

veraPDF (the PDF/UA rule checker) is a Java program distributed from its own site and Maven
Central, neither of which this machine or CI can reach, and no Debian or PyPI package ships it:
so these checks are the PDF/UA-1 rules a structure-tree inspection can make.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
import sqlalchemy as sa

from app.board import pack, services
from app.core.extensions import db
from app.demo import seed_demo
from app.outreach.invitations import letters
from app.staff.authority.services import get_settings
from forum import pdf as forum_pdf
from forum import services as forum_services
from surveys.easy_read import EASY_READ
from surveys.models import RoundStatus, SurveyRound
from surveys.paper.pdf import forms_pdf
from tests.app.outreach.contacts.test_invitations import add_contacts, invite_all

# The authority's uploaded logo, so the logo's alt text is checked too.
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="#1d70b8"/></svg>'
)


def _structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements in reading order (a depth-first walk of the tree)."""
    found: list[pikepdf.Dictionary] = []

    def walk(node):
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found


@pytest.fixture
def every_pdf(app, tmp_path) -> dict[str, bytes]:
    app.config["CHART_CACHE_DIR"] = str(tmp_path / "charts")
    with app.app_context():
        seed_demo()
        settings = get_settings()
        settings.logo, settings.logo_mimetype = LOGO, "image/svg+xml"
        db.session.commit()
        open_id = db.session.scalar(
            sa.select(SurveyRound.id).where(SurveyRound.status == RoundStatus.OPEN.value)
        )
        closed_id = db.session.scalars(
            sa.select(SurveyRound.id).where(SurveyRound.status == RoundStatus.CLOSED.value)
        ).first()
    add_contacts(app, 2, start=900)  # beside the demo's own contacts
    invite_all(app, open_id, ("letter",))
    with app.test_request_context():
        survey_round = db.session.get(SurveyRound, open_id)
        closed = db.session.get(SurveyRound, closed_id)
        return {
            "board pack": pack.html_to_pdf(pack.pack_html(services.dashboard(closed))),
            "paper form": forms_pdf(survey_round, [1]),
            "large-print form": forms_pdf(survey_round, [2], large_print=True),
            "easy-read form": forms_pdf(survey_round, [3], language=EASY_READ),
            "invitation letters": letters.letters_pdf(survey_round) or b"",
            "poster": forum_pdf.poster_pdf(forum_services.public_page()),
        }


def test_every_pdf_is_tagged_with_language_title_alt_text_and_reading_order(every_pdf):
    """One test (the demo takes most of a minute to build): each PDF, then the pack's charts."""
    assert len(every_pdf) == 6
    for kind, data in every_pdf.items():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            root = pdf.Root
            assert "/StructTreeRoot" in root, kind
            # English, or its easy-read edition (BCP 47 private use: still English to a reader)
            expected = EASY_READ if kind == "easy-read form" else "en"
            assert str(root.get("/Lang")) == expected, kind
            assert str(pdf.docinfo.get("/Title", "")).strip(), kind
            assert bool(root.ViewerPreferences.DisplayDocTitle) is True, kind
            assert bool(root.MarkInfo.Marked) is True, kind
            elements = _structure(pdf)
            figures = [e for e in elements if e.S == "/Figure"]
            assert figures, f"{kind}: the logo (and charts, QR codes) are figures"
            for figure in figures:
                assert str(figure.get("/Alt", "")).strip(), f"{kind}: a figure without alt text"
            kinds = {str(e.S) for e in elements}
            assert "/P" in kinds and kinds & {"/H1", "/H2"}, kind

    with pikepdf.open(io.BytesIO(every_pdf["board pack"])) as pdf:
        elements = _structure(pdf)
    # The logo, then one figure per chart: each chart's alt says what it shows, in words.
    alts = [str(e.Alt) for e in elements if e.S == "/Figure"]
    assert len(alts) >= 3 and all(len(alt.split()) >= 4 for alt in alts[1:]), alts
    # Reading order follows the page: the cover's title first, each section's heading (H1)
    # before the chart titles (H3) under it, and each chart's figure after its title.
    order = [str(e.S) for e in elements if str(e.S) in ("/H1", "/H3", "/Figure")]
    charts = [i for i, s in enumerate(order) if s == "/Figure" and "/H1" in order[:i]]
    assert order.index("/H1") < order.index("/H3")
    assert charts and all(order[i - 1] == "/H3" for i in charts)
