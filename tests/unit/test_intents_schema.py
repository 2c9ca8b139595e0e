"""intents.schema.json: generated from the classes that parse intents.toml, checked in, and
agreeing with the parser on what is valid."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from intentls.planning.sources.intents_toml import IntentsTomlSource
from intentls.planning.sources.schema import SCHEMA_FILE, intents_schema, schema_text

VALID = [
    'run = "pytest -x"',
    'description = "Unit tests"\nrun = "pytest -x"\ncwd = "server"\ntimeout = 600',
    'steps = ["ruff check .", { intent = "test" }, { run = "make dist", title = "package" }]',
    'run = "pytest -k ${params.k}"\nparams = { k = { description = "expr", default = "" } }',
    'run = "echo ${params.n}"\nparams = { n = 3, flag = true }',
    'run = "npm run dev"\nbackground = true\nready = "listening on"\nresources = ["port"]',
    'run = "make"\nneeds = ["gen"]\natomic = true\nenv = { CC = "gcc" }',
]

INVALID = [
    'run = "a"\nsteps = ["b"]',
    'description = "only words"',
    'run = ""',
    "run = 3",
    "steps = []",
    'steps = "echo"',
    "steps = [3]",
    "steps = [{ title = 'x' }]",
    "steps = [{ intent = 'a', run = 'b' }]",
    'run = "a"\nenv = { A = 1 }',
    'run = "a"\ntimeout = 0',
    'run = "a"\ntimeout = "10"',
    'run = "a"\ntimeout = true',
    'run = "a"\nparams = { k = { description = 3 } }',
    'run = "a"\natomic = "yes"',
    'run = "a"\nneeds = "build"',
]


def test_the_checked_in_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "intents.schema.json is stale: run `make schema`"
    )


def test_the_schema_is_a_valid_draft_4_schema() -> None:
    jsonschema.Draft4Validator.check_schema(intents_schema())


def _parses(tmp_path: Path, body: str) -> bool:
    (tmp_path / "intents.toml").write_text(f"[intents.x]\n{body}\n", encoding="utf-8")
    result = IntentsTomlSource().detect(tmp_path, True)
    return [i.name for i in result.intents] == ["x"] and not result.problems


def _validates(body: str) -> bool:
    document = tomllib.loads(f"[intents.x]\n{body}\n")
    validator = jsonschema.Draft4Validator(intents_schema())
    return validator.is_valid(document)


@pytest.mark.parametrize("body", VALID)
def test_what_the_parser_accepts_the_schema_accepts(tmp_path: Path, body: str) -> None:
    assert _parses(tmp_path, body)
    assert _validates(body)


@pytest.mark.parametrize("body", INVALID)
def test_what_the_parser_refuses_the_schema_refuses(tmp_path: Path, body: str) -> None:
    assert not _parses(tmp_path, body)
    assert not _validates(body)


def test_an_unknown_key_is_flagged_by_the_schema() -> None:
    assert not _validates('run = "a"\ntimout = 5')


def test_the_terminal_prints_the_schema_and_where_it_is() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "intentls", "schema"], capture_output=True, text=True, check=True
    )
    assert json.loads(printed.stdout) == intents_schema()
    where = subprocess.run(
        [sys.executable, "-m", "intentls", "schema", "--path"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == SCHEMA_FILE
