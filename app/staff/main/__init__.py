"""The front door: home page, the staff start page, and the health check."""
