"""PDFs made in parts joined into one (app/core/pdf_join.py): every page in the parts' order,
and every part's tags in the one structure tree, as a screen reader would read them."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from app.core.pdf import html_to_pdf
from app.core.pdf_join import join_pdfs

PARTS, LETTERS, PAGES_PER_LETTER = 3, 2, 2
QR = (
    "data:image/svg+xml,"
    "%3Csvg xmlns='http://www.w3.org/2000/svg' width='20' height='20'%3E"
    "%3Crect width='20' height='20'/%3E%3C/svg%3E"
)


def _part(number: int) -> bytes:
    letters = "".join(
        f'<section style="break-after: page"><h1>Letter {number}.{letter}</h1>'
        f'<p>Dear Person {number}.{letter}, <a href="https://example.org/i/{number}{letter}">'
        f"your link</a></p>"
        f'<img src="{QR}" alt="QR code for letter {number}.{letter}">'
        f'<p style="break-before: page">Page 2 of letter {number}.{letter}</p></section>'
        for letter in range(1, LETTERS + 1)
    )
    head = "<head><title>Invitation letters</title></head>"
    return html_to_pdf(f'<html lang="en">{head}<body>{letters}</body></html>')


def _elements(pdf: pikepdf.Pdf, under: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The structure elements under ``under`` in reading order (depth first)."""
    found: list[pikepdf.Dictionary] = []

    def walk(node):
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                assert kid.P.objgen == node.objgen  # each element names its parent
                found.append(kid)
                walk(kid)

    walk(under)
    return found


def _document(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    kids = pdf.Root.StructTreeRoot.K
    assert not isinstance(kids, pikepdf.Array) or len(kids) == 1  # one Document
    document = kids[0] if isinstance(kids, pikepdf.Array) else kids
    assert document.S == "/Document"
    return document


def _tags(pdf: pikepdf.Pdf, first_page: int = 0) -> list[tuple]:
    """What a screen reader is given: each element's type, alt text, page and marked content."""
    pages = {page.obj.objgen: i + first_page for i, page in enumerate(pdf.pages)}
    tags = []
    for element in _elements(pdf, _document(pdf)):
        kids = element.get("/K", pikepdf.Array())
        marked = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        tags.append(
            (
                str(element.S),
                str(element.get("/Alt", "")),
                pages.get(element.Pg.objgen) if "/Pg" in element else None,
                [k for k in marked if isinstance(k, int)],  # marked-content ids on its page
                sum(1 for k in marked if isinstance(k, pikepdf.Dictionary) and k.get("/Obj")),
            )
        )
    return tags


def _check_parent_tree(pdf: pikepdf.Pdf) -> None:
    """A page's marked content and its links find their elements through the parent tree."""
    tree_root = pdf.Root.StructTreeRoot
    nums = tree_root.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(tree_root.ParentTreeNextKey) > max(parents)
    page_keys = [int(page.obj.StructParents) for page in pdf.pages]
    assert len(set(page_keys)) == len(page_keys)
    links = 0
    for page, key in zip(pdf.pages, page_keys, strict=True):
        for mcid, element in enumerate(parents[key]):
            if element is not None:
                assert element.Pg.objgen == page.obj.objgen
                kids = element.K
                assert mcid in (kids if isinstance(kids, pikepdf.Array) else [kids])
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            links += 1
            element = parents[int(annotation.StructParent)]
            assert any(
                isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == annotation for k in element.K
            )
    assert links == len(pdf.pages) // PAGES_PER_LETTER  # one link a letter


def test_a_join_keeps_every_part_s_pages_in_order_and_all_their_tags(tmp_path: Path):
    parts = []
    for number in range(1, PARTS + 1):
        parts.append(tmp_path / f"{number}.pdf")
        parts[-1].write_bytes(_part(number))
    out = tmp_path / "joined.pdf"

    pages = join_pdfs(parts, out)

    assert pages == PARTS * LETTERS * PAGES_PER_LETTER
    text = [page.extract_text() for page in PdfReader(out).pages]
    expected = []
    for number in range(1, PARTS + 1):
        for letter in range(1, LETTERS + 1):
            expected += [f"Letter {number}.{letter}", f"Page 2 of letter {number}.{letter}"]
    assert len(text) == len(expected)
    assert all(want in got for want, got in zip(expected, text, strict=True)), text

    with pikepdf.open(out) as joined:
        assert joined.check_pdf_syntax() == []  # qpdf finds nothing wrong with the file
        assert str(joined.Root.Lang) == "en" and bool(joined.Root.MarkInfo.Marked)
        assert str(joined.docinfo.Title) == "Invitation letters"
        assert bool(joined.Root.ViewerPreferences.DisplayDocTitle)
        # Every part's elements, in the parts' order, under the one Document, on their pages.
        expected_tags: list[tuple] = []
        for number, part in enumerate(parts):
            with pikepdf.open(part) as alone:
                expected_tags += _tags(alone, number * LETTERS * PAGES_PER_LETTER)
        assert _tags(joined) == expected_tags
        figures = [tag for tag in expected_tags if tag[0] == "/Figure"]
        assert len(figures) == PARTS * LETTERS and all(tag[1] for tag in figures)
        _check_parent_tree(joined)


def test_one_part_joins_to_the_same_pages_and_tags(tmp_path: Path):
    part = tmp_path / "1.pdf"
    part.write_bytes(_part(1))
    out = tmp_path / "joined.pdf"
    assert join_pdfs([part], out) == LETTERS * PAGES_PER_LETTER
    with pikepdf.open(out) as joined, pikepdf.open(part) as alone:
        assert _tags(joined) == _tags(alone)
        _check_parent_tree(joined)
    assert io.BytesIO(out.read_bytes()).read(8) == b"%PDF-1.7"


def test_a_join_that_fails_leaves_no_half_file_behind(tmp_path: Path):
    """The letters' file holds names and addresses: a join stopped half-way deletes it."""
    tagged, untagged = tmp_path / "1.pdf", tmp_path / "2.pdf"
    tagged.write_bytes(_part(1))
    with pikepdf.new() as blank:
        blank.add_blank_page()
        blank.save(untagged)
    out = tmp_path / "joined.pdf"
    with pytest.raises(ValueError, match="without tags"):
        join_pdfs([tagged, untagged], out)
    assert not out.exists()
