"""Staff pages for survey rounds: set up, open and close a round, follow its responses, export."""
