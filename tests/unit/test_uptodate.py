"""Up-to-date skipping, through the real engine: a real history file, real processes, real files.
A step that opted in is skipped while nothing it reads changed since its last success, and runs
again after an input, its command or an environment variable it names changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intentls.engine import ActiveRun, Engine, RunRequest
from intentls.execution.uptodate import UP_TO_DATE
from intentls.folders import Folder
from intentls.history.store import History
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus
from intentls.planning.catalog import Catalog
from intentls.planning.sources import default_sources
from intentls.trust import Grants, TrustPolicy

TOML = """
[intents.build]
run = "echo built $FLAVOUR >> {log} && cp src/a.c out.o"
inputs = ["src/**/*.c"]
outputs = ["out.o"]

[intents.whole]
run = "echo whole >> {log}"
upToDate = true
env = {{ MODE = "fast" }}

[intents.plain]
run = "echo plain >> {log}"

[intents.both]
steps = [{{ intent = "build" }}, "echo after >> {log}"]
"""


class Listener:
    def __init__(self) -> None:
        self.output: list[str] = []

    async def prepare(self) -> None:
        pass

    def run_started(self, run: ActiveRun) -> None:
        pass

    def run_finished(self, result: RunResult) -> None:
        pass

    def step_started(self, step: PlanStep) -> None:
        pass

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        self.output.append(text)

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        pass


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    history = History(tmp_path / "history.db")
    yield Engine(
        history, Catalog(default_sources()), TrustPolicy(True, Grants(tmp_path / "g.json")), 2
    )
    history.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "a.c").write_text("int a;\n")
    (folder / "notes.txt").write_text("not an input of build\n")
    (folder / ".gitignore").write_text("ignored/\n")
    log = tmp_path / "ran.log"
    (folder / "intents.toml").write_text(TOML.format(log=log))
    return folder


async def run(engine: Engine, folder: Path, text: str, force: bool = False) -> RunResult:
    request = RunRequest(text, Folder.from_path(folder), folder, force=force)
    return await engine.run(request, Listener())


def ran(folder: Path) -> list[str]:
    log = folder.parent / "ran.log"
    return log.read_text().splitlines() if log.exists() else []


async def test_a_step_with_unchanged_inputs_is_skipped_and_its_output_replayed(
    engine: Engine, project: Path
) -> None:
    first = await run(engine, project, "build")
    assert first.status is RunStatus.SUCCEEDED and first.steps[0].up_to_date is None
    listener = Listener()
    request = RunRequest("build", Folder.from_path(project), project)
    second = await engine.run(request, listener)
    assert ran(project) == ["built"]
    assert second.status is RunStatus.SUCCEEDED
    step = second.steps[0]
    assert step.status is StepStatus.SKIPPED and step.up_to_date is True
    assert [w.kind for w in second.warnings or []] == [UP_TO_DATE]
    assert second.actions and second.actions[0].arguments[0]["force"] is True
    (project / "notes.txt").write_text("not an input, changed\n")
    await run(engine, project, "build")
    assert ran(project) == ["built"], "a file outside the inputs changed: still up to date"


async def test_an_input_the_command_or_a_named_variable_changing_runs_it_again(
    engine: Engine, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await run(engine, project, "build")
    (project / "src" / "a.c").write_text("int b;\n")  # same size, new content
    await run(engine, project, "build")
    assert ran(project) == ["built", "built"]
    (project / "src" / "new.c").write_text("int c;\n")
    await run(engine, project, "build")
    assert len(ran(project)) == 3, "a new input file"
    monkeypatch.setenv("FLAVOUR", "spicy")
    await run(engine, project, "build")
    assert ran(project)[-1] == "built spicy", "$FLAVOUR is named in the command"
    await run(engine, project, "build")
    assert len(ran(project)) == 4
    (project / "out.o").unlink()
    await run(engine, project, "build")
    assert len(ran(project)) == 5, "an output is not as the last success left it"
    await run(engine, project, "build", force=True)
    assert len(ran(project)) == 6, "forced"
    toml = project / "intents.toml"
    toml.write_text(toml.read_text().replace("echo built", "echo rebuilt"))
    await run(engine, project, "build")
    assert ran(project)[-1] == "rebuilt spicy", "the command text changed"


async def test_up_to_date_without_inputs_covers_every_file_git_keeps(
    engine: Engine, project: Path
) -> None:
    await run(engine, project, "whole")
    await run(engine, project, "whole")
    assert ran(project) == ["whole"]
    (project / "ignored").mkdir()
    (project / "ignored" / "cache").write_text("x")
    await run(engine, project, "whole")
    assert ran(project) == ["whole"], "an ignored file is not an input"
    (project / "notes.txt").write_text("changed\n")
    await run(engine, project, "whole")
    assert ran(project) == ["whole", "whole"]


async def test_only_intents_that_opt_in_are_skipped_and_dependents_still_run(
    engine: Engine, project: Path
) -> None:
    await run(engine, project, "plain")
    await run(engine, project, "plain")
    assert ran(project) == ["plain", "plain"]
    both = await run(engine, project, "both")
    assert both.status is RunStatus.SUCCEEDED
    again = await run(engine, project, "both")
    assert again.status is RunStatus.SUCCEEDED
    assert [s.status for s in again.steps] == [StepStatus.SKIPPED, StepStatus.SUCCEEDED]
    assert ran(project) == ["plain", "plain", "built", "after", "after"]


async def test_a_failure_is_never_remembered(engine: Engine, project: Path) -> None:
    toml = project / "intents.toml"
    toml.write_text(toml.read_text().replace("cp src/a.c out.o", "false"))
    await run(engine, project, "build")
    failed = await run(engine, project, "build")
    assert failed.status is RunStatus.FAILED
    assert ran(project) == ["built", "built"]
