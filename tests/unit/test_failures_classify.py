"""The classifier on real tools' real failures (tests/failures/cases.py, run here) and on
output captured from tools CI cannot install (tests/data/failures/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.failures import Category, Evidence, classify, from_tool_error
from intentls.failures.tools import tools_in_command
from tests.failures.cases import ALL, Case
from tests.failures.corpus import Captured, captured


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.name)
def test_real_failure(case: Case, tmp_path: Path) -> None:
    if missing := case.missing():
        pytest.skip(f"{', '.join(missing)} not installed")
    evidence = case.run(tmp_path)
    assert evidence.exit_code != 0, evidence.output
    error = classify(evidence)
    assert (error.category, error.transient) == (case.category, case.transient), evidence.output
    assert case.message in error.message, evidence.output


@pytest.mark.parametrize("case", captured(), ids=lambda c: c.name)
def test_captured_failure(case: Captured) -> None:
    error = classify(case.evidence)
    assert (error.category, error.transient) == (case.category, case.transient), case.tool
    assert case.message in error.message


def test_a_wrappers_report_is_never_the_message() -> None:
    output = "npm error Lifecycle script `build` failed with error:\nnpm error code 2\n"
    output = "weird thing happened\nmake: *** [Makefile:3: all] Error 1\n" + output
    assert classify(Evidence("npm run build", output, 1)).message == "weird thing happened"


def test_colours_and_redraws_are_what_a_terminal_shows() -> None:
    output = "progress 10%\rprogress 90%\r\x1b[31mModuleNotFoundError: No module named 'x'\x1b[0m\n"
    error = classify(Evidence("python3 a.py", output, 1))
    assert error.message == "ModuleNotFoundError: No module named 'x'"


@pytest.mark.parametrize(
    ("code", "category"),
    [
        (-2, "interrupted"),
        (-9, "resource"),
        (-13, "unknown"),
        (137, "resource"),
        (130, "interrupted"),
    ],
)
def test_signals(code: int, category: str) -> None:
    assert classify(Evidence("server", "", code)).category == category


def test_a_timeout_says_how_long() -> None:
    error = classify(Evidence("sleep 9", "", -15, timeout_s=0.5))
    assert (error.category, error.message) == (Category.TIMEOUT, "timed out after 0.5 s")


def test_silence_says_the_exit_code() -> None:
    assert classify(Evidence("false", "", 1)).message == "exited with code 1"


def test_exit_codes_mean_what_the_tool_says() -> None:
    assert classify(Evidence("curl -s http://x", "", 6)).category == "network"
    assert classify(Evidence("ls -s", "", 6)).category == "unknown"


def test_built_in_tool_errors_use_the_contracts_categories() -> None:
    assert from_tool_error("notFound", "a.txt does not exist").category == "fileNotFound"
    assert from_tool_error("io", "No space left on device").category == "resource"
    refused = from_tool_error("git", "git commit failed: nothing to commit, working tree clean")
    assert refused.category == "usage"


@pytest.mark.parametrize(
    ("command", "tools"),
    [
        ("FOO=1 sudo -E python3.12 -m pytest -x", {"python", "pytest"}),
        ("cd web && npx tsc --noEmit", {"cd", "tsc"}),
        ("sh -c 'make -C sub all'", {"sh", "make"}),
        ("uv run mypy .", {"uv", "mypy"}),
        ("go vet ./... | tee log", {"go", "go vet", "tee"}),
        ("cc -c a.c", {"gcc"}),
    ],
)
def test_tools_in_command(command: str, tools: set[str]) -> None:
    assert tools_in_command(command) == tools
