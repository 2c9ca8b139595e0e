"""A run's full output on request, one server and the terminal on the same history: the file
beside the history holds every line although the client got a capped stream, one step's part
can be asked for, the text is cut from its start and says so, and a missing run is a clear
-32602 / exit 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from tests.e2e.session import capabilities, session
from tests.e2e.terminal import cli, cli_into

LINES = 300_000
"""About 2 MB: more than the client is sent in one flush (output_cap.py)."""


def _text(uri: str) -> str:
    return Path(uri.removeprefix("file://")).read_text()


async def test_output_in_the_editor_and_the_terminal(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text(
        '[intents.count]\nrun = "seq 1 300000"\n\n[intents.greet]\nrun = "echo beta"\n'
    )
    caps = capabilities()
    assert caps.window is not None
    caps.window.show_document = lsp.ShowDocumentClientCapabilities(support=True)
    async with session(home, [folder], caps=caps) as ses:
        counted = await ses.run("count and greet")
        assert counted["status"] == "succeeded"
        run_id = counted["runId"]
        whole: dict[str, Any] = await ses.command(
            "intentls.output", {"cwd": str(folder), "maxBytes": 0}
        )
        assert (whole["runId"], whole["status"]) == (run_id, "succeeded")
        assert "text" not in whole and "cutBytes" not in whole
        kept = _text(whole["uri"])
        assert whole["sizeBytes"] == len(kept.encode())
        count_id = next(s["id"] for s in counted["steps"] if s["title"] == "count")
        assert f"── {count_id} ──\n1\n2\n" in kept and f"\n{LINES}\n" in kept

        tail = await ses.command("intentls.output", {"runId": run_id, "stepId": "count"})
        assert tail["stepId"] == count_id and tail["text"].endswith(f"\n{LINES}\n")
        assert tail["cutBytes"] == tail["sizeBytes"] - len(tail["text"]) > 0
        assert len(tail["text"].encode()) <= 256 * 1024, "the default cap"
        greet = await ses.command("intentls.output", {"runId": run_id, "stepId": "greet"})
        assert greet["text"] == "beta\n" and "cutBytes" not in greet

        shown_answer = await ses.command("intentls.runOutput", {"runId": run_id})
        assert [d.uri for d in ses.client.shown_documents] == [whole["uri"]]
        assert shown_answer["uri"] == whole["uri"]

        for bad, message in [
            ({"runId": "nope"}, "no run 'nope' in the history"),
            ({"runId": run_id, "stepId": "lint"}, "has no step 'lint'; its steps:"),
            ({"maxBytes": -1, "cwd": str(folder)}, "maxBytes must be between"),
        ]:
            try:
                await ses.command("intentls.output", bad)
            except JsonRpcInvalidParams as exc:
                assert message in str(exc)
            else:
                raise AssertionError(f"{bad} was answered")

    printed = cli(home, folder, "output")
    assert printed.returncode == 0 and printed.stdout == kept
    assert cli(home, folder, "output", run_id, "--step", "greet").stdout == "beta\n"
    path = cli(home, folder, "output", "--path")
    assert path.stdout == f"{Path(whole['uri'].removeprefix('file://'))}\n"
    piped = cli_into(home, folder, "head -1", "output", run_id)
    assert (piped.returncode, piped.stderr) == (0, "")
    missing = cli(home, folder, "output", "nope")
    assert missing.returncode == 1
    assert missing.stderr == "intentls: no run 'nope' in the history\n"
