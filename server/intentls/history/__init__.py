"""The run history: one SQLite file (APSW) shared by every intentls process of a user."""
