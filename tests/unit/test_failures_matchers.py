"""Problem matchers: VS Code's schema, and every built-in matcher on real tools' output (run here,
or captured from the real tool in tests/data/failures/ when CI cannot install it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.failures.classifier import strip_ansi
from intentls.failures.diagnostics import find_diagnostics
from intentls.failures.matchers.builtin import BUILTIN, named
from intentls.failures.matchers.engine import Cycle, Matching, Problem
from intentls.failures.matchers.schema import MatcherError, parse_matchers, parse_patterns
from tests.failures.cases import CASES
from tests.failures.corpus import CAPTURED, captured

LIVE = {c.name: c for c in CASES}
SAVED = {c.name: c for c in captured()}

# matcher, a live case or captured output, expected: (file, 0-based line, severity, code, message)
EXPECTED = [
    ("python-syntax", "py-syntax", ("app.py", 0, "error", "SyntaxError", "invalid syntax")),
    ("python-syntax", "pytest-collect-syntax", ("test_a.py", 0, "error", "SyntaxError", "invalid")),
    ("python-syntax", "make-py-syntax", ("app.py", 0, "error", "SyntaxError", "invalid syntax")),
    ("python", "py-module", ("app.py", 0, "error", "ModuleNotFoundError", "nosuchmod")),
    ("python", "make-py-module", ("app.py", 0, "error", "ModuleNotFoundError", "nosuchmod")),
    ("python-marked", "py-runtime", ("app.py", 1, "error", "ZeroDivisionError", "division")),
    ("pytest", "pytest-assert", ("test_a.py", 1, "error", "AssertionError", "assert (1 + 1) == 3")),
    ("pytest", "make-pytest", ("test_a.py", 1, "error", "AssertionError", "sum([1, 2])")),
    ("mypy", "mypy-types", ("a.py", 0, "error", "assignment", "Incompatible types")),
    ("ruff", "ruff-check", ("a.py", 0, "warning", "F401", "`os` imported but unused")),
    ("ruff", "ruff-format", ("a.py", 0, "warning", "unformatted", "would be reformatted")),
    ("gcc", "gcc-syntax", ("a.c", 0, "error", None, "expected")),
    ("gcc", "make-gcc", ("a.c", 0, "error", None, "undeclared")),
    ("node", "node-syntax", ("a.js", 1, "error", "SyntaxError", "Unexpected end of input")),
    ("node", "node-throw", ("a.js", 0, "error", "Error", "bad config")),
    ("rustc", "cargo-mismatched", ("src/main.rs", 1, "error", "E0308", "mismatched types")),
    ("rustc", "cargo-syntax", ("src/main.rs", 1, "error", None, "expected `;`")),
    ("tsc", "tsc-type", ("src/a.ts", 0, "error", "2322", "not assignable")),
    ("tsc", "tsc-pretty-make", ("src/a.ts", 0, "error", "2322", "not assignable")),
    ("msCompile", "tsc-syntax", ("src/b.ts", 0, "error", "TS1109", "Expression expected")),
    ("flake8", "flake8", ("m.py", 0, "warning", "F401", "'os' imported but unused")),
    ("flake8", "pycodestyle", ("m.py", 1, "warning", "E302", "expected 2 blank lines")),
    ("pylint", "pylint", ("m.py", 0, "warning", "C0114", "Missing module docstring")),
    ("pyright", "pyright", ("m.py", 2, "error", "reportUndefinedVariable", "is not defined")),
    ("shellcheck", "shellcheck-gcc", ("s.sh", 1, "info", "SC2086", "Double quote")),
    ("eslint-stylish", "eslint-stylish", ("src/e.js", 0, "error", "no-unused-vars", "'unused'")),
    ("eslint-compact", "eslint-compact", ("src/e.js", 0, "error", "no-unused-vars", "'unused'")),
    ("eslint-unix", "eslint-unix", ("src/e.js", 0, "error", "no-unused-vars", "'unused'")),
    ("jest", "jest", ("jt/sum.test.js", 2, "error", None, "at Object.toBe")),
    ("jshint", "jshint", ("src/h.js", 0, "error", None, "Missing semicolon.")),
    ("jshint-stylish", "jshint-stylish", ("src/h.js", 0, "error", None, "Missing semicolon.")),
    ("lessCompile", "lessc", ("src/s.less", 1, "error", None, "Unrecognised input")),
    ("go", "go-build", ("main.go", 5, "error", None, "declared but not used")),
    ("go", "go-vet", ("main.go", 5, "error", None, "wrong type string")),
    ("go", "go-test", ("main_test.go", 6, "error", None, "add(1, 1) = 2, want 3")),
]


def _output(source: str, folder: Path) -> tuple[str, str]:
    """The output and command of a live case run in `folder`, or of a captured one (its files
    created, empty: a diagnostic needs the file to exist)."""
    if source in LIVE:
        case = LIVE[source]
        if missing := case.missing():
            pytest.skip(f"{', '.join(missing)} not installed")
        return case.run(folder).output, case.command
    saved = SAVED[source]
    return saved.evidence.output.replace("{folder}", str(folder)), saved.evidence.command


@pytest.mark.parametrize(("matcher", "source", "expected"), EXPECTED, ids=lambda v: str(v))
def test_builtin_matcher(
    matcher: str, source: str, expected: tuple[object, ...], tmp_path: Path
) -> None:
    folder = tmp_path.resolve()
    output, command = _output(source, folder)
    path = folder / str(expected[0])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n" * 50)
    found = find_diagnostics(output, command, folder, folder, [BUILTIN[matcher]])[0]
    assert found.path == path
    assert (found.line, found.severity, found.code) == expected[1:4]
    assert str(expected[4]) in found.message
    if matcher != "msCompile":  # read by $tsc when no matcher is named
        chosen = find_diagnostics(output, command, folder, folder)
        assert found in chosen, "the command and its output pick this matcher"


def test_every_builtin_matcher_is_tested() -> None:
    tested = {m for m, _, _ in EXPECTED} | {"tsc-watch", "generic"}
    untested = set(BUILTIN) - tested
    assert untested <= UNTESTED.keys(), untested - UNTESTED.keys()


UNTESTED = {
    "gulp-tsc": "the gulp-tsc plugin that printed `file(l,c): code message` is long gone",
}
"""Built-in matchers without real output here yet, and why."""


def test_tsc_watch_cycles() -> None:
    """Each build of a watch task begins and ends; the problems in between are that build's."""
    raw = (CAPTURED / "streams" / "tsc-watch.txt").read_text().partition("\n---\n")[2]
    text = strip_ansi(raw)  # as the executor's pump passes it on
    matching = Matching([BUILTIN["tsc-watch"]])
    events = [e for chunk in _chunks(text, 7) for e in matching.feed(chunk)] + matching.close()
    shape = [
        "begin"
        if isinstance(e, Cycle) and e.started
        else "end"
        if isinstance(e, Cycle)
        else "problem"
        for e in events
    ]
    assert shape == ["begin", "problem", "end", "begin", "end"]
    problem = events[1]
    assert isinstance(problem, Problem) and (problem.file, problem.line, problem.code) == (
        "src/a.ts",
        1,
        "2322",
    )


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_a_multi_line_pattern_loops_over_following_lines(tmp_path: Path) -> None:
    output, command = _output("eslint-stylish", tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "e.js").write_text("const unused = 1;\nundefinedFn();\n")
    found = find_diagnostics(output, command, tmp_path, tmp_path, [BUILTIN["eslint-stylish"]])
    assert [(d.line, d.character, d.end_character, d.code) for d in found] == [
        (0, 6, 12, "no-unused-vars"),
        (1, 0, 11, "no-undef"),
    ]


def test_the_generic_matcher_reads_what_no_tool_matcher_knows(tmp_path: Path) -> None:
    (tmp_path / "conf.yaml").write_text("a: 1\nb: [\n")
    output = (
        "checking…\nconf.yaml:2:4: error: unclosed bracket\nmake: *** [Makefile:2: all] Error 1\n"
    )
    (found,) = find_diagnostics(output, "make check", tmp_path, tmp_path)
    assert (found.path.name, found.line, found.character, found.message) == (
        "conf.yaml",
        1,
        3,
        "unclosed bracket",
    )


def test_files_outside_the_folder_get_nothing(tmp_path: Path) -> None:
    output = '  File "/usr/lib/python3/json/decoder.py", line 3, in f\n    x\nValueError: bad\n'
    assert find_diagnostics(output, "python3 a.py", tmp_path, tmp_path) == []


def test_tasks_json_forms() -> None:
    patterns = {}
    inline = {"owner": "mine", "pattern": {"regexp": r"^(.*):(\d+):(\d+): (\w+): (.*)$"}}
    m1, m2, m3 = parse_matchers(
        ["$gcc", inline, {"base": "$tsc", "severity": "warning"}], named, patterns
    )
    assert m1 is BUILTIN["gcc"]
    (pattern,) = m2.patterns
    assert (pattern.file, pattern.line, pattern.column, pattern.message) == (1, 2, 3, 5), (
        "VS Code's defaults"
    )
    assert (
        m3.patterns == BUILTIN["tsc"].patterns
        and m3.severity == "warning"
        and m3.owner == "typescript"
    )
    (single,) = parse_matchers("$mypy", named, patterns)
    assert single is BUILTIN["mypy"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("$nosuch", "unknown problem matcher '$nosuch'"),
        ({"pattern": {"regexp": "("}}, "bad regexp"),
        ({"owner": "x"}, "needs a pattern"),
        (
            {"pattern": [{"regexp": "a", "loop": True}, {"regexp": "b", "message": 0}]},
            "only the last",
        ),
        ({"pattern": {"regexp": "a", "line": "2"}}, "line must be a match group number"),
        ({"pattern": {"regexp": "a"}, "fileLocation": "nowhere"}, "fileLocation must be one of"),
        (
            {"pattern": {"regexp": "a"}, "background": {"beginsPattern": "x"}},
            "beginsPattern and endsPattern",
        ),
        (3, "a name or an object"),
    ],
)
def test_bad_definitions_say_what_is_wrong(value: object, says: str) -> None:
    with pytest.raises(MatcherError, match=None) as info:
        parse_matchers(value, named, {})
    assert says in str(info.value)


def test_file_locations(tmp_path: Path) -> None:
    sub = tmp_path / "pkg" / "deep"
    sub.mkdir(parents=True)
    (sub / "m.c").write_text("int x;\n")
    output = "m.c:1:5: error: boom\n"

    def found(location: object) -> list[str]:
        (matcher,) = parse_matchers({"base": "$gcc", "fileLocation": location}, named, {})
        return [
            str(d.path.relative_to(tmp_path))
            for d in find_diagnostics(output, "cc", tmp_path, tmp_path, [matcher])
        ]

    assert found(["search", {"include": ["${workspaceFolder}/pkg"]}]) == ["pkg/deep/m.c"]
    assert found(["relative", "${workspaceFolder}/pkg/deep"]) == ["pkg/deep/m.c"]
    assert found("relative") == []
    assert found(["autoDetect", "pkg/deep"]) == ["pkg/deep/m.c"]
    absolute = f"{sub}/m.c:1:5: error: boom\n"
    (matcher,) = parse_matchers({"base": "$gcc", "fileLocation": "absolute"}, named, {})
    assert [d.path for d in find_diagnostics(absolute, "cc", tmp_path, tmp_path, [matcher])] == [
        sub / "m.c"
    ]


def test_single_patterns_default_like_vs_code() -> None:
    (pattern,) = parse_patterns({"regexp": "x", "location": 2})
    assert (pattern.file, pattern.location, pattern.message, pattern.line) == (1, 2, 4, None)


def test_intents_toml_and_tasks_json_name_matchers(tmp_path: Path) -> None:
    from intentls.planning.sources.intents_spec import SpecError, read_intent

    inline = {"owner": "x", "pattern": {"regexp": r"^(.*):(\d+): (.*)$", "line": 2, "message": 3}}
    spec = read_intent({"run": "cc a.c", "matchers": ["$gcc", inline]})
    assert spec.matchers == ["$gcc", inline]
    with pytest.raises(SpecError, match="unknown problem matcher '\\$nosuch'"):
        read_intent({"run": "true", "matchers": ["$nosuch"]})
    with pytest.raises(SpecError, match="name or table"):
        read_intent({"run": "true", "matchers": [3]})
