"""Invitations, reminders, letters, the personal link and the response-rate dashboard."""
