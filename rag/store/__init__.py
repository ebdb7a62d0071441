"""The index: the SQLite store (the single source of truth, migrations in one place), keyword
search over its FTS5 table, FAISS vectors derived from it, and the folder that holds them."""
