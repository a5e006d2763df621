"""The easy-read paper form: the easy-read words and a picture (with alt text) for each
question, numbered and keyed like the English form."""

from __future__ import annotations

import io
import re

import pikepdf
from pypdf import PdfReader

from app.staff.auth.models import Role
from tests.surveys.paper.test_pdf import _words


def test_printing_easy_read_forms_gives_the_easy_words_and_pictures(
    logged_in_as, unprinted_round_id
):
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{unprinted_round_id}/print"
    assert '<option value="en-x-easyread">Easy read</option>' in client.get(url).text
    response = client.post(url, data={"count": "1", "language": "en-x-easyread"})
    assert response.mimetype == "application/pdf"
    name = "test26-paper-forms-en-x-easyread-0001-0001.pdf"
    assert name in response.headers["Content-Disposition"]
    text = _words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    assert "When were you born?" in text and "What is your date of birth" not in text
    assert "Where are you now? Tick 1 box." in text
    assert re.search(r"1\s*I am under 18\. I am in care\.", text)  # keyed by the same numbers
    with pikepdf.open(io.BytesIO(response.data)) as document:
        alts = []

        def walk(node):
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/Figure":
                        alts.append(str(kid.get("/Alt", "")))
                    walk(kid)

        walk(document.Root.StructTreeRoot)
    assert "A birthday cake" in alts and "A house" in alts and len(alts) >= 9


def test_the_english_form_has_no_pictures(logged_in_as, unprinted_round_id):
    client = logged_in_as(Role.DATA_ENTRY)
    response = client.post(f"/staff/paper/rounds/{unprinted_round_id}/print", data={"count": "1"})
    text = _words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    assert "What is your date of birth" not in text or "Date of birth:" in text
    assert "When were you born?" not in text
