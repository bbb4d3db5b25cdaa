"""Password hashing (argon2id)."""
