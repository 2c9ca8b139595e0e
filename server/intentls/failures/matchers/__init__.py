"""VS Code's problem matchers: the schema (schema.py), the built-in ones (builtin.py), choosing
them for a command (select.py), matching output (engine.py) and finding the files (locate.py)."""
