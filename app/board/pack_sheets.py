"""The XLSX data pack's sheets for the outcomes, the self-assessments and the plan's milestones
(issue 23), in their own module so the shared ``pack.data_pack`` only calls ``sheets``.

Every figure is one the PDF shows, taken from the same objects: outcomes from the protected
``outcomes_view`` (a hidden count stays "fewer than 5" or "hidden to protect privacy", and a
share whose count is hidden stays blank), self-assessments from ``report.pack_section``'s chart
tables, milestones from the dashboard's ``plan_view`` with the rolled-up rating in words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.board.assessments.report import FrameworkReport
from app.board.blocks import Table
from app.board.outcomes.services import OutcomesView
from app.board.services import Dashboard
from app.core.spreadsheets import Sheet

WIDE = {"A": 48.0}


def _table_rows(table: Table) -> list[list]:
    return [[table.caption], [], table.headers, *table.rows]


def _titled(name: str, rows: list[list]) -> Sheet:
    return Sheet(
        name, rows, header_row=3, freeze="B4", numbers_from_text=True, title_row=True, widths=WIDE
    )


def outcomes_sheets(view: OutcomesView, name: Callable[[str], str]) -> list[Sheet]:
    if view.cohort_table is None or view.comparison_table is None:
        return []
    rows = [
        *[[line] for line in view.summary],
        [],
        *_table_rows(view.cohort_table)[2:],
    ]
    found = [
        Sheet(
            name("Outcomes"),
            [
                ["Care leavers' outcomes"],
                *rows,
                [],
                [view.privacy_key],
                *[[s] for s in view.sources],
            ],
            header_row=None,
            freeze=None,
            numbers_from_text=True,
            title_row=True,
            widths=WIDE,
        ),
        _titled(name("Outcomes vs targets"), _table_rows(view.comparison_table)),
    ]
    for chart in view.trend_charts:
        found.append(_titled(name(f"Outcomes {chart.title}"), _table_rows(chart.table)))
    return found


def assessment_sheets(reports: list[FrameworkReport], name: Callable[[str], str]) -> list[Sheet]:
    found = []
    for report in reports:
        for chart in report.charts:
            found.append(
                _titled(
                    name(f"SA {chart.title}"),
                    [[chart.title], [chart.takeaway], *_table_rows(chart.table)[2:]],
                )
            )
    return found


def milestone_sheet(board: Dashboard, name: Callable[[str], str]) -> list[Sheet]:
    view = board.plan
    if view is None or not view.rows:
        return []
    rows: list[list] = [["Milestone", "Owner", "Due", "Status", "Linked actions", "Rating"]]
    for row in view.rows:
        m = row.milestone
        due: date | str = m.due_on if m.due_on else "No date"
        rows.append([m.title, m.owner, due, m.status_label, len(row.actions), row.rating.text])
    return [Sheet(name("Plan milestones"), rows, freeze="B2", widths=WIDE)]


def sheets(
    board: Dashboard,
    outcomes: OutcomesView,
    reports: list[FrameworkReport],
    name: Callable[[str], str],
) -> list[Sheet]:
    return [
        *outcomes_sheets(outcomes, name),
        *assessment_sheets(reports, name),
        *milestone_sheet(board, name),
    ]
