"""The LSP halves of the features, one module each, registered in `lsp/setup.py`."""
