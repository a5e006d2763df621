"""The board pack's self-assessment section, made from the fictional demo: its sentences and
chart tables match scores averaged here straight from the answer rows."""

from __future__ import annotations

import html as markup
import re

from app.board import pack
from app.board import services as board_services
from surveys.services import round_by_slug
from tests.app.board.independent import overall, words


def test_pack_section_says_what_the_answers_say(demo):
    with demo.test_request_context():
        board = board_services.dashboard(round_by_slug("nb2026"))
        html = pack.pack_html(board)
        spring, autumn = "Spring (fictional demo)", "Autumn (fictional demo)"
        staff_now, staff_then = overall(autumn, "staff"), overall(spring, "staff")
        young_now, young_then = overall(autumn, "young_people"), overall(spring, "young_people")

    section = html[html.index('id="self-assessment"') : html.index('id="comparison"')]
    text = markup.unescape(re.sub(r"\s+", " ", section))
    assert '<a href="#self-assessment">Self-assessment</a>' in html  # in the contents
    assert "Autumn (fictional demo)" in text
    assert (
        f"Staff scored {staff_now:.1f} out of 4, {words(staff_now - staff_then)} since {spring}."
        in text
    )
    assert (
        f"Young people scored {young_now:.1f} out of 4, "
        f"{words(young_now - young_then)} since {spring}." in text
    )
    # The critical friend's two ratings, under their (editable) names.
    assert "How well the council is doing now: 5 out of 10." in text
    assert "How well the council is improving: 7 out of 10." in text
    # Every chart has alt text and a data table; the wording's origin is said plainly.
    assert text.count('alt="Line chart titled') == 2
    assert text.count('alt="Bar chart titled') == 2
    assert "not copied from Baker and Dixon's framework" in text
    assert f'<td class="num">{staff_then:.1f}</td>' in text
