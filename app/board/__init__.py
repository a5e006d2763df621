"""The corporate parenting board: the dashboard, board meetings, the board pack (PDF + XLSX)
and comparisons with earlier rounds and reference figures."""
