"""Contacts: the service's care leavers, kept by staff, imported from case-management files."""
