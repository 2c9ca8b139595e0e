"""Output that never ends reaches the client capped: a long line cut and marked, a flood
thinned with "… N characters skipped"; every notification stays small; the full output is in
a file beside the history."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.session import session


async def test_floods_and_long_lines_are_capped(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        line = await ses.run("$ head -c 3000000 /dev/zero | tr '\\0' x; echo; echo end")
        flood = await ses.run("$ yes 0123456789 | head -c 40000000; echo end")
    assert line["status"] == flood["status"] == "succeeded"
    texts = [n["text"] for n in ses.notes_of("intentls/output")]
    assert max(len(t) for t in texts) <= 300_000
    long = ses.output_of(line["runId"])
    assert " … [line cut: 2,991,808 characters]\nend\n" in long
    flooded = ses.output_of(flood["runId"])
    assert "characters skipped" in flooded and len(flooded) < 20_000_000
    kept = (home / "output" / f"{line['runId']}.log").read_text()
    assert kept.count("x") == 3_000_000 and kept.endswith("\nend\n"), "the full output is kept"
