"""Access to the management plane: tenants, users, sign-in sessions with CSRF tokens, API tokens."""
