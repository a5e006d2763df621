"""The questionnaire editor: staff copy a questionnaire version into a draft and change it."""
