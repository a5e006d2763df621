"""Imports of responses collected elsewhere (CSV or XLSX), into a round, channel "import"."""
