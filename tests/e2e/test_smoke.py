from __future__ import annotations

from pathlib import Path

from tests.e2e.session import new_token, session


async def test_run_streams_progress_output_and_notifications(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        token = new_token()
        ses.client.progress_reports[token] = []
        result = await ses.command("intentls.run", {"intent": "hello"}, token=token)
        assert result["status"] == "succeeded", result
        assert result["folder"] == folder.as_uri()
        assert ses.output_of(result["runId"]) == "hello\n"
        finished = await ses.wait_note("intentls/runFinished", runId=result["runId"])
        assert finished["status"] == "succeeded"
        kinds = [r.kind for r in ses.client.progress_reports[token]]
        assert kinds[0] == "begin" and kinds[-1] == "end"
