"""Editor variables: every value, errors for what a request cannot fill, and quoting that a
hostile file name or selection cannot escape."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from intentls.planning import variables
from intentls.planning.variables import EditorContext, VariableError, expand_plain, expand_shell

FOLDER = Path("/work/project")
CTX = EditorContext(
    FOLDER,
    file=FOLDER / "src" / "my file.py",
    line=12,
    selected_text='it\'s "x" $HOME `id`',
    env={"TOKEN_NAME": "abc"},
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${workspaceFolder}", "/work/project"),
        ("${workspaceFolderBasename}", "project"),
        ("${file}", "/work/project/src/my file.py"),
        ("${relativeFile}", "src/my file.py"),
        ("${fileDirname}", "/work/project/src"),
        ("${fileBasename}", "my file.py"),
        ("${fileBasenameNoExtension}", "my file"),
        ("${fileExtname}", ".py"),
        ("${lineNumber}", "12"),
        ("${env:TOKEN_NAME}", "abc"),
        ("a-${lineNumber}-b", "a-12-b"),
    ],
)
def test_plain_values(text: str, expected: str) -> None:
    assert expand_plain(text, CTX) == expected


@pytest.mark.parametrize(
    "command",
    [
        "printf '%s' ${selectedText}",
        "printf '%s' \"${selectedText}\"",
        "printf '%s' '${selectedText}'",
        "printf '%s' \"sel: ${selectedText}\"",
    ],
)
def test_a_hostile_selection_reaches_the_shell_as_one_literal_word(command: str) -> None:
    expanded = expand_shell(command, CTX)
    out = subprocess.run(["/bin/sh", "-c", expanded], capture_output=True, text=True, check=True)
    assert out.stdout.removeprefix("sel: ") == CTX.selected_text


def test_shell_variables_are_left_to_the_shell() -> None:
    assert (
        expand_shell("echo ${HOME} ${file}", CTX) == "echo ${HOME} '/work/project/src/my file.py'"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("${file}", "needs a file"),
        ("${lineNumber}", "needs a position"),
        ("${selectedText}", "needs a selection"),
        ("${env:NOPE}", "NOPE is not set"),
    ],
)
def test_what_cannot_be_filled_is_an_error(text: str, words: str) -> None:
    bare = EditorContext(FOLDER, env={})
    with pytest.raises(VariableError, match=words):
        expand_shell(f"echo {text}", bare)


def test_strict_mode_refuses_unknown_variables() -> None:
    with pytest.raises(VariableError, match=r"\$\{config:x\} is not a variable"):
        expand_plain("${config:x}", CTX)
    with pytest.raises(VariableError, match="not a variable"):
        expand_shell("echo ${input:name}", CTX, strict=True)


SECRET_CTX = EditorContext(FOLDER, env={"API_TOKEN": "s3cr3t 'x'", "odd-name": "v$1"})


@pytest.mark.parametrize(
    "command",
    [
        'test "${env:API_TOKEN}" = "$EXPECTED"',
        'test ${env:API_TOKEN} = "$EXPECTED"',
        "test 'a'${env:API_TOKEN}'b' = \"a${EXPECTED}b\"",
        "test 'a${env:API_TOKEN}b' = \"a${EXPECTED}b\"",
        'test "${env:odd-name}" = v\\$1',
    ],
)
def test_environment_values_are_referred_to_never_written(command: str) -> None:
    secrets = variables.Secrets(frozenset())
    expanded = expand_shell(command, SECRET_CTX, secrets=secrets)
    assert "s3cr3t" not in expanded
    env = {"PATH": "/usr/bin:/bin", "EXPECTED": "s3cr3t 'x'", **secrets.values}
    assert subprocess.run(["/bin/sh", "-c", expanded], env=env, check=False).returncode == 0


def test_a_name_the_step_sets_itself_is_not_reused() -> None:
    secrets = variables.Secrets(frozenset({"API_TOKEN"}))
    assert expand_shell("echo ${env:API_TOKEN}", SECRET_CTX, secrets=secrets) == (
        'echo "${INTENTLS_ENV_API_TOKEN}"'
    )
    assert secrets.values == {"INTENTLS_ENV_API_TOKEN": "s3cr3t 'x'"}


def test_argument_words_keep_the_text_and_run_with_the_value() -> None:
    ctx = EditorContext(FOLDER, line=3, env={"API_TOKEN": "s3cr3t"})
    shown, run = variables.expand_argv(["--token=${env:API_TOKEN}", "${lineNumber}"], ctx, True)
    assert shown == ["--token=${env:API_TOKEN}", "3"] and run == ["--token=s3cr3t", "3"]
    with pytest.raises(VariableError, match="not set"):
        variables.expand_argv(["${env:NOPE}"], ctx, True)
