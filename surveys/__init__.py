"""Surveys: questionnaires, rounds, the survey engine and its channels (web, sms, paper)."""
