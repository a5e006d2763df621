"""Targets and England / statistical-neighbour figures, entered by staff with their source, are
shown beside the council's own figures."""

from __future__ import annotations

from app.staff.auth.models import Role
from tests.app.board.outcomes.helpers import store, table, text


def test_staff_enter_a_target_and_a_national_figure_and_the_page_compares(app, logged_in_as):
    store(app, {2026: {"17-18": (60, 55, 42, 54), "19-21": (120, 106, 66, 99)}})
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    saved = client.post(
        "/board/outcomes/targets",
        data={
            "target-measure": "eet",
            "target-age_group": "all",
            "target-percent": "65",
            "target-submit": "Save target",
        },
    )
    assert saved.status_code == 302
    saved = client.post(
        "/board/outcomes/targets",
        data={
            "comparison-kind": "national",
            "comparison-measure": "eet",
            "comparison-age_group": "all",
            "comparison-year": "2026",
            "comparison-percent": "55",
            "comparison-source": "DfE: Children looked after in England, table F1",
            "comparison-submit": "Save figure",
        },
    )
    assert saved.status_code == 302
    missing = client.post(
        "/board/outcomes/targets",
        data={"comparison-kind": "national", "comparison-submit": "Save figure"},
    )
    assert missing.status_code == 400
    assert "Enter where the figure comes from" in missing.get_data(as_text=True)

    page = client.get("/board/outcomes").get_data(as_text=True)
    eet = round(100 * (42 + 66) / 180)
    assert (
        f"In 2025 to 2026, {eet}% of care leavers aged 17 to 21 were in education, employment "
        f"or training (our target is 65%, {65 - eet} percentage points short; England 55%)."
    ) in text(page)
    assert "Sources: England: DfE: Children looked after in England, table F1." in text(page)
    row = next(
        r
        for r in table(page, "outcomes-comparison-table")
        if r[0] == "In education, employment or training: all aged 17 to 21"
    )
    assert row == [row[0], f"{eet}%", "65%", "55%", "not entered"]
