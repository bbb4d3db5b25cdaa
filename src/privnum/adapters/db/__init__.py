"""Storage on SQLAlchemy 2 Core (async): SQLite by default, PostgreSQL for scale-out."""
