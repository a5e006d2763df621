"""Safeguarding: screening free-text answers for disclosures of risk, and the lead's flags."""
