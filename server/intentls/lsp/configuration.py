"""Settings as the client gives them: `initializationOptions`, then configuration pushed
(`workspace/didChangeConfiguration`) or pulled per folder (`workspace/configuration`)."""

from __future__ import annotations

from typing import Any

from intentls.settings import Settings, merge


class Configuration:
    def __init__(self) -> None:
        self.base = Settings()
        """Defaults with `initializationOptions` applied."""
        self.pushed: dict[str, Any] | None = None
        """`settings.intentls` from the last `didChangeConfiguration` that carried it."""
        self.pulled: dict[str, Any] = {}
        """`workspace/configuration` answers, by folder URI."""

    def initialize(self, options: dict[str, Any]) -> list[str]:
        self.base, problems = merge(Settings(), options, "initializationOptions")
        return problems

    def for_folder(self, folder_uri: str | None) -> tuple[Settings, list[str]]:
        settings, problems = merge(self.base, self.pushed, "settings.intentls")
        if folder_uri is not None:
            settings, more = merge(
                settings, self.pulled.get(folder_uri), f"settings of {folder_uri}"
            )
            problems += more
        return settings, problems
