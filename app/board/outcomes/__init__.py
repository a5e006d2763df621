"""Care leavers' outcomes (issue 23): the council's SSDA903 figures, targets and comparisons."""
