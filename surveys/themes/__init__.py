"""Themes: code free-text answers into themes together (codebook, coding queue, suggestions,
agreement between coders, redaction and approved quotes, results)."""
