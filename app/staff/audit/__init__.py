"""The audit log and the admin page that reads it."""
