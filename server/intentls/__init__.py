"""intentls: a language server that plans, runs, records and learns from command intents."""

__version__ = "0.1.0"
