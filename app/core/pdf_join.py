"""PDFs made in parts joined into one file, in the memory of one part (issue 20).

A whole cohort's letters are made ``LETTERS_PER_PART`` at a time
(app/outreach/invitations/letter_runs.py), so WeasyPrint never holds thousands of pages;
``join_pdfs`` then joins the parts. Each part is tagged (PDF/UA-1, app/core/pdf.py) and the
joined file stays so: one structure tree, with every part's elements under the first part's
Document element, and each part's marked-content keys (its pages' ``/StructParents`` and its
parent tree's keys) shifted past the ones already used.

Why this writes the file itself instead of saving it with pikepdf (qpdf): qpdf keeps every
object it has read until its document is closed, and a part copied into another document must
stay open until that document is saved. So joining 3,000 letters that way held two copies of the
joined file's 141,000 objects (132,000 of them structure elements, the tags): 491 MB for the
join alone in a process of its own, 689 MB in the letters job. Saving after each part and
reopening holds one copy of the whole file at the last step (289 MB alone, growing with the
cohort, and four times slower). Here each part is opened with pikepdf, its objects are written
to the joined file under new numbers as they are read, and the part is closed before the next
is opened: the memory is one part's, whatever the number of parts (the same join peaks at
66 MB, of which 26 MB is Python and pikepdf loaded).

The file is written as WeasyPrint writes its own: the objects that are not streams packed into
compressed object streams, then a cross-reference stream. Streams (pages' content, fonts,
images) are copied as they are, still compressed. Each part's page tree becomes a kid of one
page tree, so the pages stay in the parts' order. What only the first part gives, as before:
the catalogue's other entries (language, "display the title", XMP metadata, bookmarks), the
document information (the title) and the structure tree root's other entries.
"""

from __future__ import annotations

import functools
import secrets
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

# Objects per object stream: WeasyPrint's parts hold about 10,000 objects each.
OBJECTS_PER_STREAM = 200


def pikepdf() -> ModuleType:
    """pikepdf (qpdf), loaded the first time PDFs are joined: only the letters job joins them."""
    import pikepdf  # lazy on purpose (memory), like WeasyPrint in app/core/pdf.py

    return pikepdf


@functools.cache
def _name(key: str) -> bytes:
    return pikepdf().Name(key).unparse()


Numbering = Callable[[Any], int]


def _syntax(value: Any, number: Numbering) -> bytes:
    """``value`` in PDF syntax; an indirect object as a reference to the number ``number``
    gives it. pikepdf hands numbers, booleans and null over as Python values."""
    pk = pikepdf()
    if isinstance(value, pk.Object):
        return b"%d 0 R" % number(value) if value.is_indirect else _content(value, number)
    if value is True or value is False:
        return b"true" if value else b"false"
    if value is None:
        return b"null"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Decimal):
        return format(value, "f").encode()  # never an exponent, which PDF does not read
    raise TypeError(f"Not a PDF value: {value!r}")


def _content(obj: Any, number: Numbering) -> bytes:
    """An object's own content in PDF syntax (never a reference to the object itself)."""
    pk = pikepdf()
    if isinstance(obj, pk.Dictionary):
        return b"<<" + _entries(obj.items(), number) + b">>"
    if isinstance(obj, pk.Array):
        return b"[" + b" ".join(_syntax(item, number) for item in obj) + b"]"
    return bytes(obj.unparse())  # a name, a string, a number


def _entries(
    items: Iterable[tuple[str, Any]],
    number: Numbering,
    changed: dict[str, bytes] | None = None,
    *,
    leave_out: Iterable[str] = (),
) -> bytes:
    """A dictionary's entries (without ``<< >>``), the ``changed`` ones replaced."""
    changed = changed or {}
    left_out = set(leave_out) | set(changed)
    written = [
        _name(key) + b" " + _syntax(value, number) for key, value in items if key not in left_out
    ]
    written += [_name(key) + b" " + value for key, value in changed.items()]
    return b"".join(written)


def _ref(number: int) -> bytes:
    return b"%d 0 R" % number


class _File:
    """A PDF written object by object: the objects that are not streams are packed,
    ``OBJECTS_PER_STREAM`` at a time, into compressed object streams; a cross-reference stream
    ends the file. Only the cross-reference table (an entry per object) is held."""

    def __init__(self, file: BinaryIO, version: str) -> None:
        self.file = file
        # A cross-reference stream's three fields per object number: type (1: at an offset of
        # the file, 2: inside an object stream), offset or object stream, index in that stream.
        self.types, self.places, self.indexes = array("B", [0]), array("Q", [0]), array("L", [0])
        self.packing: list[tuple[int, bytes]] = []
        file.write(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        """A new object number, for an object written later."""
        self.types.append(0)
        self.places.append(0)
        self.indexes.append(0)
        return len(self.types) - 1

    def _place(self, number: int, kind: int, place: int, index: int) -> None:
        self.types[number], self.places[number], self.indexes[number] = kind, place, index

    def _write(self, number: int, dictionary: bytes, data: bytes) -> None:
        self._place(number, 1, self.file.tell(), 0)
        self.file.write(b"%d 0 obj\n<<%s/Length %d>>\nstream\n" % (number, dictionary, len(data)))
        self.file.write(data)
        self.file.write(b"\nendstream\nendobj\n")

    def add(self, number: int, content: bytes) -> None:
        self.packing.append((number, content))
        if len(self.packing) == OBJECTS_PER_STREAM:
            self._pack()

    def add_stream(self, number: int, entries: bytes, data: bytes) -> None:
        """A stream: its dictionary's entries (all but ``/Length``) and its data as stored."""
        self._write(number, entries, data)

    def _pack(self) -> None:
        if not self.packing:
            return
        stream = self.reserve()
        header, at = [], 0
        for index, (number, content) in enumerate(self.packing):
            self._place(number, 2, stream, index)
            header.append(b"%d %d" % (number, at))
            at += len(content) + 1
        first = b" ".join(header) + b"\n"
        data = first + b"\n".join(content for _number, content in self.packing)
        self._write(
            stream,
            b"/Type/ObjStm/N %d/First %d/Filter/FlateDecode" % (len(self.packing), len(first)),
            zlib.compress(data),
        )
        self.packing = []

    def finish(self, trailer: bytes) -> None:
        """Write the cross-reference stream, whose dictionary is the trailer (``trailer``: its
        entries, /Root and /Info)."""
        self._pack()
        xref = self.reserve()
        self._place(xref, 1, self.file.tell(), 0)
        unwritten = [n for n in range(1, len(self.types)) if not self.types[n]]
        if unwritten:
            raise RuntimeError(f"Objects referred to but never written: {unwritten[:10]}")
        rows = struct.Struct(">BIH")
        table = b"".join(
            rows.pack(kind, place, index)
            for kind, place, index in zip(self.types, self.places, self.indexes, strict=True)
        )
        file_id = b"<" + secrets.token_hex(16).encode() + b">"
        self._write(
            xref,
            b"/Type/XRef/Size %d/W[1 4 2]/ID[%s %s]%s/Filter/FlateDecode"
            % (len(self.types), file_id, file_id, trailer),
            zlib.compress(table),
        )
        self.file.write(b"startxref\n%d\n%%%%EOF\n" % self.places[xref])


def _parent_tree_nums(tree_root: Any) -> Any:
    parent_tree = tree_root.ParentTree
    if "/Kids" in parent_tree:
        raise ValueError(
            "A PDF part's parent tree has kids: join_pdfs expects WeasyPrint's flat one"
        )
    return parent_tree.Nums


def _document(tree_root: Any) -> Any:
    kids = tree_root.K
    if isinstance(kids, pikepdf().Array):
        if len(kids) != 1:
            raise ValueError("A PDF part's structure tree has several roots: expected a Document")
        kids = kids[0]
    return kids


class _Joined:
    """The joined file's state between parts: the numbers of the objects written last (the
    catalogue, page tree, structure tree root, parent tree, Document element) and what they will
    hold, in bytes."""

    def __init__(self, file: _File) -> None:
        self.file = file
        self.catalog, self.pages, self.tree_root = file.reserve(), file.reserve(), file.reserve()
        self.parent_tree, self.document = file.reserve(), file.reserve()
        self.page_trees: list[bytes] = []
        self.page_count = 0
        self.kids: list[bytes] = []  # the Document element's
        self.nums: list[bytes] = []  # the parent tree's (key, value) pairs
        self.next_key = 0
        self.first: dict[str, bytes] = {}

    def add(self, part: Any) -> None:
        """Write ``part``'s objects (the part is read once, then may be closed)."""
        pk = pikepdf()
        if "/StructTreeRoot" not in part.Root:
            raise ValueError("A PDF part without tags: join_pdfs joins tagged PDFs only")
        tree_root = part.Root.StructTreeRoot
        document = _document(tree_root)
        part_nums = _parent_tree_nums(tree_root)
        # A part's own catalogue, tree root, parent tree and Document become the joined file's.
        numbers = {
            part.Root.objgen: self.catalog,
            tree_root.objgen: self.tree_root,
            tree_root.ParentTree.objgen: self.parent_tree,
            document.objgen: self.document,
        }
        numbers.pop((0, 0), None)  # direct objects have no number
        to_write: list[Any] = []

        def number(obj: Any) -> int:
            found = numbers.get(obj.objgen)
            if found is None:
                found = numbers[obj.objgen] = self.file.reserve()
                to_write.append(obj)
            return found

        offset = self.next_key
        changes: dict[tuple[int, int], dict[str, bytes]] = {
            part.Root.Pages.objgen: {"/Parent": _ref(self.pages)}
        }
        for page in part.pages:
            if "/StructParents" in page.obj:
                key = int(page.obj.StructParents) + offset
                changes[page.obj.objgen] = {"/StructParents": b"%d" % key}
            for annotation in page.obj.get("/Annots", pk.Array()):
                if "/StructParent" in annotation:
                    key = int(annotation.StructParent) + offset
                    changes[annotation.objgen] = {"/StructParent": b"%d" % key}
        self.page_trees.append(_ref(number(part.Root.Pages)))
        self.page_count += len(part.pages)
        kids = document.K if isinstance(document.K, pk.Array) else [document.K]
        self.kids += [_syntax(kid, number) for kid in kids]
        for i in range(0, len(part_nums), 2):
            key = int(part_nums[i]) + offset
            self.nums.append(b"%d %s" % (key, _syntax(part_nums[i + 1], number)))
            self.next_key = max(self.next_key, key + 1)
        if "/ParentTreeNextKey" in tree_root:
            self.next_key = max(self.next_key, int(tree_root.ParentTreeNextKey) + offset)
        if not self.first:
            self.first = {
                "catalog": _entries(
                    part.Root.items(), number, leave_out=("/Pages", "/StructTreeRoot")
                ),
                "info": b"/Info " + _syntax(part.trailer.Info, number)
                if "/Info" in part.trailer
                else b"",
                "tree_root": _entries(
                    tree_root.items(),
                    number,
                    leave_out=("/K", "/ParentTree", "/ParentTreeNextKey"),
                ),
                "document": _entries(document.items(), number, leave_out=("/K",)),
                "root_kids": b"[%s]" if isinstance(tree_root.K, pk.Array) else b"%s",
            }
        while to_write:
            obj = to_write.pop()
            changed = changes.get(obj.objgen)
            if isinstance(obj, pk.Stream):
                entries = _entries(obj.stream_dict.items(), number, changed, leave_out=("/Length",))
                self.file.add_stream(numbers[obj.objgen], entries, obj.read_raw_bytes())
            elif isinstance(obj, pk.Dictionary):
                content = b"<<" + _entries(obj.items(), number, changed) + b">>"
                self.file.add(numbers[obj.objgen], content)
            else:
                self.file.add(numbers[obj.objgen], _content(obj, number))

    def finish(self) -> None:
        file, first = self.file, self.first
        file.add(self.parent_tree, b"<</Nums[" + b" ".join(self.nums) + b"]>>")
        file.add(self.document, b"<<" + first["document"] + b"/K[" + b" ".join(self.kids) + b"]>>")
        file.add(
            self.tree_root,
            b"<<%s/K %s/ParentTree %s/ParentTreeNextKey %d>>"
            % (
                first["tree_root"],
                first["root_kids"] % _ref(self.document),
                _ref(self.parent_tree),
                self.next_key,
            ),
        )
        file.add(
            self.pages,
            b"<</Type/Pages/Kids[%s]/Count %d>>" % (b" ".join(self.page_trees), self.page_count),
        )
        file.add(
            self.catalog,
            b"<<%s/Pages %s/StructTreeRoot %s>>"
            % (first["catalog"], _ref(self.pages), _ref(self.tree_root)),
        )
        file.finish(b"/Root " + _ref(self.catalog) + first["info"])


def _version(path: Path) -> str:
    with pikepdf().open(path) as pdf:
        return str(pdf.pdf_version)


def _add(joined: _Joined, path: Path) -> None:
    """Add the part at ``path``. In a function of its own on purpose (memory): closing a pikepdf
    document closes its file, but qpdf's objects are freed only once nothing refers to the
    document, so a part held by a loop's variable while the next part opens would be two."""
    with pikepdf().open(path) as part:
        joined.add(part)


def join_pdfs(parts: Sequence[Path], out: Path) -> int:
    """Join the PDF files ``parts`` into ``out``, one part in memory at a time (tags kept, see
    the module's docstring); returns the number of pages."""
    try:
        with out.open("wb") as file:
            joined = _Joined(_File(file, _version(parts[0])))
            for path in parts:
                _add(joined, path)
            joined.finish()
    except BaseException:
        out.unlink(missing_ok=True)  # half a file of names and addresses is no use to anyone
        raise
    return joined.page_count
