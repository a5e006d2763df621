"""Staff sign-in, accounts and roles."""
