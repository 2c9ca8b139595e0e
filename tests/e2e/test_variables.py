"""Editor variables from the request's uri, range and the open document."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.session import session


async def test_file_line_and_selection_of_an_open_document(home: Path, folder: Path) -> None:
    source = folder / "src" / "my app.py"
    source.parent.mkdir()
    source.write_text("on disk\n")
    unsaved = "first line\nsecond $(rm -rf /) 'line'\n"
    async with session(home, [folder]) as ses:
        ses.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(source.as_uri(), "python", 1, unsaved)
            )
        )
        selection = {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 25}}
        result = await ses.run(
            "$ printf '%s|%s|%s|%s' ${relativeFile} ${fileBasenameNoExtension} ${lineNumber} "
            '"${selectedText}"',
            uri=source.as_uri(),
            range=selection,
        )
        assert result["status"] == "succeeded"
        assert ses.output_of(result["runId"]) == "src/my app.py|my app|2|$(rm -rf /) 'line'"


async def test_a_variable_without_a_value_is_a_clear_error(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text('[intents.check]\nrun = "ruff check ${file}"\n')
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.run("check")
        assert error.value.code == -32602
        assert "${file} needs a file" in error.value.message
        result = await ses.run("$ echo ${HOME}")
        assert result["status"] == "succeeded", "a shell variable stays the shell's"
