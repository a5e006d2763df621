"""The web channel: the anonymous one-question-a-page survey at /s/<slug>."""
