"""The LSP face of intentls: thin handlers that convert and delegate to the domain."""
