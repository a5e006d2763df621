"""The translator workflow: export the wording for a translator, import it back, and the status
per language (checked by a translator: yes/no). See services.py."""
