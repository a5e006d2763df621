"""Self-assessments: the Baker and Dixon leaving-care areas and the Care Leavers' Charter,
scored by staff and by young people separately, repeated over time, with a critical friend's
ratings. Frameworks are data (``*.toml`` here, read by ``frameworks.py``); see ``services.py``
for the scoring and change rules."""
