"""Authority settings (name, branding, help numbers) and the public pages every service needs."""
