"""The diagnostics book (set on failure, cleared on success) and the quick fixes it offers, on a
real pytest failure's output."""

from __future__ import annotations

from pathlib import Path

from intentls.failures.book import DiagnosticsBook, FailedStep, QuickFix
from intentls.failures.quickfix import RECOVERIES, failed_tests, quick_fixes
from tests.failures.cases import CASES

PYTEST = next(c for c in CASES if c.name == "pytest-assert")


def _pytest_failure(tmp_path: Path) -> tuple[Path, FailedStep]:
    folder = tmp_path.resolve()
    evidence = PYTEST.run(folder)
    return folder, FailedStep(
        "s2", "tests", "pytest -q -p no:cacheprovider", folder, evidence.output
    )


async def test_failure_then_success(tmp_path: Path) -> None:
    folder, step = _pytest_failure(tmp_path)
    book = DiagnosticsBook()
    again = QuickFix("Run «tests» again", "intentls.run", {"intent": "tests"})
    changed = await book.run_finished(folder, "r1", "ci", False, [step], 2, [again])
    assert changed == [folder / "test_a.py"]
    ((failure, diagnostic),) = book.at(folder / "test_a.py")
    assert (diagnostic.line, diagnostic.step_id) == (1, "s2")

    fixes = quick_fixes(failure, "s2")
    assert fixes[0] == again, "the run's own proposals come first"
    titles = [f.title for f in fixes]
    assert titles[1:] == ["Re-run «ci»", "Re-run the 1 failed test(s)", "Show the run's output"]
    assert fixes[2].arguments == {"intent": "$ pytest test_a.py::test_sum", "cwd": str(folder)}

    assert await book.run_finished(folder, "r2", "other", True, []) == []
    assert book.at(folder / "test_a.py")[0][0] is failure, "another intent's success"
    assert await book.run_finished(folder, "r3", "ci", True, []) == [folder / "test_a.py"]
    assert book.at(folder / "test_a.py") == []


def test_registered_recoveries_come_first(tmp_path: Path) -> None:
    from intentls.failures.book import Failure

    step = FailedStep("s1", "build", "make", tmp_path, "boom\n")
    failure = Failure("r1", "build", tmp_path, (step,), ())
    fix = QuickFix("Run «make deps»", "intentls.run", {"intent": "make deps"})
    RECOVERIES.append(lambda failure, step: [fix])
    try:
        assert quick_fixes(failure, "s1")[0] == fix
    finally:
        RECOVERIES.clear()
    titles = [f.title for f in quick_fixes(failure, "s1")]
    assert titles == ["Re-run «build»", "Show the run's output"], "one step: no 're-run only'"


def test_failed_tests_from_the_short_summary() -> None:
    output = "FAILED a.py::t[1] - assert 0\nERROR b.py::C::t - RuntimeError\nFAILED a.py::t[1]\n"
    assert failed_tests(output) == ["a.py::t[1]", "b.py::C::t"]
