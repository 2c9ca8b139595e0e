"""The labelled corpus: live cases (run here) and captured outputs of tools CI cannot install
(tests/data/failures/*.txt: a header of `key: value` lines, a `---` line, then the output)."""

from __future__ import annotations

from pathlib import Path

import attrs

from intentls.failures import Evidence

CAPTURED = Path(__file__).resolve().parents[1] / "data" / "failures"


@attrs.frozen
class Captured:
    name: str
    tool: str
    """The tool and its version, as `tool --version` printed it when the output was captured."""
    evidence: Evidence
    category: str
    message: str
    transient: bool


def captured() -> list[Captured]:
    return [_read(path) for path in sorted(CAPTURED.glob("*.txt"))]


def _read(path: Path) -> Captured:
    head, _, output = path.read_text().partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if line.strip())
    return Captured(
        name=path.stem,
        tool=fields["tool"],
        evidence=Evidence(fields["command"], output, int(fields["exit"])),
        category=fields["category"],
        message=fields["message"],
        transient=fields.get("transient", "false") == "true",
    )
