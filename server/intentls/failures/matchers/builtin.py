"""The built-in problem matchers, as the data a tasks.json would hold: VS Code's own, the common
extensions' (`$tsc`, `$tsc-watch`, `$gcc`), and intentls's for the tools it knows. Each names the
tools whose output it reads, so one is picked when a command runs that tool."""

from __future__ import annotations

from typing import Any

from intentls.failures.matchers.schema import Matcher, Pattern, parse_matchers, parse_patterns

_PY_FRAME = r'^\s*File "(.+)", line (\d+)(?:, in (.+))?$'
_PY_EXC = r"^(?:E\s+)?((?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt)): (.*)$"
_TSC = r"^([^\s].*)[\(:](\d+)[,:](\d+)(?:\):\s+|\s+-\s+)(error|warning|info)\s+TS(\d+)\s*:\s*(.*)$"
_TSC_BEGIN = (
    r"^\s*(?:message TS6032:|\[?\D*.{1,2}[:.].{1,2}[:.].{1,2}\D*(?:\]| -)) "
    r"(?:Starting compilation in watch mode"
    r"|File change detected\. Starting incremental compilation)"
)
_TSC_END = (
    r"^\s*(?:message TS6042:|\[?\D*.{1,2}[:.].{1,2}[:.].{1,2}\D*(?:\]| -)) "
    r"(?:Compilation complete\.|Found \d+ errors?\.) Watching for file changes\."
)


def _numbered(*fields: str) -> dict[str, int]:
    """Match groups 1, 2, … in this order: `file`, `line`, … as most patterns have them."""
    return {field: group for group, field in enumerate(fields, 1)}


PATTERNS: dict[str, Any] = {
    "eslint-stylish": [
        {"regexp": r"^((?:[a-zA-Z]:)*[./\\]+.*?)$", "kind": "file", "file": 1},
        {
            "regexp": r"^\s+(\d+):(\d+)\s+(error|warning|info)\s+(.+?)(?:\s\s+(.*))?$",
            **_numbered("line", "column", "severity", "message", "code"),
            "loop": True,
        },
    ],
}

DEFINITIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    # VS Code's own.
    "msCompile": (
        ("msbuild", "dotnet", "cl", "csc"),
        {
            "owner": "msCompile",
            "fileLocation": "absolute",
            "pattern": {
                "regexp": r"^(?:\s*\d+>)?(\S.*?)(?:\((\d+|\d+,\d+|\d+,\d+,\d+,\d+)\))?\s*:\s+"
                r"(?:(\S+)\s+)?((?:fatal +)?error|warning|info)\s+(\w+\d+)?\s*:\s*(.*)$",
                "kind": "location",
                "file": 1,
                "location": 2,
                "severity": 4,
                "code": 5,
                "message": 6,
            },
        },
    ),
    "gulp-tsc": (
        ("gulp",),
        {
            "owner": "typescript",
            "source": "ts",
            "fileLocation": "relative",
            "pattern": {
                "regexp": r"^([^\s].*)\((\d+|\d+,\d+|\d+,\d+,\d+,\d+)\):\s+(\d+)\s+(.*)$",
                **_numbered("file", "location", "code", "message"),
            },
        },
    ),
    "jshint": (
        ("jshint",),
        {
            "owner": "jshint",
            "source": "jshint",
            "fileLocation": "absolute",
            "pattern": {
                "regexp": r"^(.*):\s+line\s+(\d+),\s+col\s+(\d+),\s(.+?)(?:\s+\((\w)(\d+)\))?$",
                **_numbered("file", "line", "column", "message", "severity", "code"),
            },
        },
    ),
    "jshint-stylish": (
        ("jshint",),
        {
            "owner": "jshint",
            "source": "jshint",
            "fileLocation": "absolute",
            "pattern": [
                {"regexp": r"^(.+)$", "kind": "file", "file": 1},
                {
                    "regexp": r"^\s+line\s+(\d+)\s+col\s+(\d+)\s+(.+?)(?:\s+\((\w)(\d+)\))?$",
                    **_numbered("line", "column", "message", "severity", "code"),
                    "loop": True,
                },
            ],
        },
    ),
    "eslint-compact": (
        ("eslint",),
        {
            "owner": "eslint",
            "source": "eslint",
            "fileLocation": "relative",
            "pattern": {
                "regexp": (
                    r"^(.+):\sline\s(\d+),\scol\s(\d+),\s(E"
                    r"rror|Warning|Info)\s-\s(.+)\s\((.+)\)$"
                ),
                **_numbered("file", "line", "column", "severity", "message", "code"),
            },
        },
    ),
    "eslint-stylish": (
        ("eslint",),
        {
            "owner": "eslint",
            "source": "eslint",
            "fileLocation": "absolute",
            "pattern": "$eslint-stylish",
        },
    ),
    "go": (
        ("go",),
        {
            "owner": "go",
            "source": "go",
            "fileLocation": "relative",
            "pattern": {
                "regexp": r"^\s*([^:\s]*: )?((?:.:)?[^:\s]*\.go):(\d+)(?::(\d+))?: (.*)$",
                "file": 2,
                "line": 3,
                "column": 4,
                "message": 5,
            },
        },
    ),
    "lessCompile": (
        ("lessc",),
        {
            "owner": "lessCompile",
            "source": "less",
            "fileLocation": "absolute",
            "pattern": {
                "regexp": r"(.*)\sin\s(.*)\son line\s(\d+),\scolumn\s(\d+)",
                **_numbered("message", "file", "line", "column"),
            },
        },
    ),
    # The common extensions'.
    "tsc": (
        ("tsc",),
        {
            "owner": "typescript",
            "source": "ts",
            "fileLocation": "relative",
            "pattern": {
                "regexp": _TSC,
                **_numbered("file", "line", "column", "severity", "code", "message"),
            },
        },
    ),
    "tsc-watch": (
        (),
        {
            "base": "$tsc",
            "background": {
                "activeOnStart": True,
                "beginsPattern": _TSC_BEGIN,
                "endsPattern": _TSC_END,
            },
        },
    ),
    "gcc": (
        ("gcc", "clang", "make"),
        {
            "owner": "cpptools",
            "source": "gcc",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$",
                **_numbered("file", "line", "column", "severity", "message"),
            },
        },
    ),
    # intentls's.
    "python": (
        ("python", "pytest", "make", "npm", "sh", "bash"),
        {
            "owner": "python",
            "source": "python",
            "fileLocation": "autoDetect",
            "pattern": [
                {"regexp": _PY_FRAME, "file": 1, "line": 2},
                {"regexp": r"^    (\S.*)$"},
                {"regexp": _PY_EXC, "code": 1, "message": 2},
            ],
        },
    ),
    "python-marked": (
        ("python", "pytest", "make", "npm", "sh", "bash"),
        {
            "base": "$python",
            "pattern": [
                {"regexp": _PY_FRAME, "file": 1, "line": 2},
                {"regexp": r"^    (\S.*)$"},
                {"regexp": r"^\s*[~^]+\s*$"},
                {"regexp": _PY_EXC, "code": 1, "message": 2},
            ],
        },
    ),
    "python-syntax": (
        ("python", "pytest", "make", "npm", "sh", "bash", "mypy"),
        {
            "base": "$python",
            "pattern": [
                {"regexp": r'^(?:E\s+)?\s*File "(.+)", line (\d+)$', "file": 1, "line": 2},
                {"regexp": r"^(?:E\s+)?\s+(\S.*)$"},
                {"regexp": r"^(?:E\s+)?\s*\^+\s*$"},
                {
                    "regexp": r"^(?:E\s+)?((?:Syntax|Indentation|Tab)Error): (.*)$",
                    "code": 1,
                    "message": 2,
                },
            ],
        },
    ),
    "node": (
        ("node", "npm"),
        {
            "owner": "node",
            "source": "node",
            "fileLocation": "autoDetect",
            "pattern": [
                {"regexp": r"^(\S.*\.[cm]?[jt]sx?):(\d+)$", "file": 1, "line": 2},
                {"regexp": r"^.*$"},
                {"regexp": r"^\s*\^*\s*$"},
                {"regexp": r"^$"},
                {"regexp": r"^(\w*Error): (.*)$", "code": 1, "message": 2},
            ],
        },
    ),
    "pytest": (
        ("pytest",),
        {
            "owner": "pytest",
            "source": "pytest",
            "fileLocation": "autoDetect",
            "pattern": [
                {"regexp": r"^E\s+(.*)$", "message": 1},
                {"regexp": r"^$"},
                {"regexp": r"^(\S+\.py):(\d+): (\w+)$", "file": 1, "line": 2, "code": 3},
            ],
        },
    ),
    "mypy": (
        ("mypy",),
        {
            "owner": "mypy",
            "source": "mypy",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": (
                    r"^([^\s:][^:]*\.pyi?):(\d+)(?::(\d+))?: (error|warning|note): "
                    r"((?:(?!  \[).)*)(?:  \[([\w-]+)\])?$"
                ),
                **_numbered("file", "line", "column", "severity", "message", "code"),
            },
        },
    ),
    "ruff": (
        ("ruff",),
        {
            "owner": "ruff",
            "source": "ruff",
            "severity": "warning",
            "fileLocation": "autoDetect",
            "pattern": [
                {
                    "regexp": r"^([A-Z]+\d+|[a-z]+(?:-[a-z]+)*(?=:)):? (?:\[\*\] )?(.*)$",
                    "code": 1,
                    "message": 2,
                },
                {"regexp": r"^\s*--> (.+?):(\d+):(\d+)$", "file": 1, "line": 2, "column": 3},
            ],
        },
    ),
    "flake8": (
        ("flake8", "pycodestyle", "ruff", "pyflakes"),
        {
            "owner": "flake8",
            "source": "flake8",
            "severity": "warning",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": r"^([^\s:][^:]*\.pyi?):(\d+):(\d+): ([A-Z]+\d+) (?:\[\*\] )?(.*)$",
                **_numbered("file", "line", "column", "code", "message"),
            },
        },
    ),
    "pyright": (
        ("pyright", "basedpyright"),
        {
            "owner": "pyright",
            "source": "pyright",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": (
                    r"^\s+(\S.*?):(\d+):(\d+) - (error|warni"
                    r"ng|information): (.*?)(?: \((\w+)\))?$"
                ),
                **_numbered("file", "line", "column", "severity", "message", "code"),
            },
        },
    ),
    "pylint": (
        ("pylint",),
        {
            "owner": "pylint",
            "source": "pylint",
            "severity": "warning",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": r"^([^\s:][^:]*\.py):(\d+):(\d+): (([A-Z])\d+): (.*) \([\w-]+\)$",
                **_numbered("file", "line", "column", "code", "severity", "message"),
            },
        },
    ),
    "rustc": (
        ("cargo", "rustc"),
        {
            "owner": "rustc",
            "source": "rustc",
            "fileLocation": "autoDetect",
            "pattern": [
                {
                    "regexp": r"^(warning|error)(?:\[(\w+)\])?: (.*)$",
                    **_numbered("severity", "code", "message"),
                },
                {"regexp": r"^\s*--> (.+?):(\d+):(\d+)$", "file": 1, "line": 2, "column": 3},
            ],
        },
    ),
    "eslint-unix": (
        ("eslint",),
        {
            "owner": "eslint",
            "source": "eslint",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": r"^(\S.*?):(\d+):(\d+): (.*?) \[(Error|Warning)/(.+)\]$",
                **_numbered("file", "line", "column", "message", "severity", "code"),
            },
        },
    ),
    "shellcheck": (
        ("shellcheck",),
        {
            "owner": "shellcheck",
            "source": "shellcheck",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": (
                    r"^(\S.*?):(\d+):(\d+): (error|warning"
                    r"|note|style|info): (.*?) \[(SC\d+)\]$"
                ),
                **_numbered("file", "line", "column", "severity", "message", "code"),
            },
        },
    ),
    "jest": (
        ("jest",),
        {
            "owner": "jest",
            "source": "jest",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": (
                    r"^\s+at (?:\S+ )?\(((?!.*node_modules)"
                    r"[^()]+?\.[cm]?[jt]sx?):(\d+):(\d+)\)$"
                ),
                "file": 1,
                "line": 2,
                "column": 3,
                "message": 0,
            },
        },
    ),
    "generic": (
        (),
        {
            "owner": "intentls",
            "fileLocation": "autoDetect",
            "pattern": {
                "regexp": (
                    r"^\s*([^\s:]+\.\w+):(\d+)(?::(\d+))?:\s+"
                    r"(?:(error|warning|info|note):\s*)?(.*)$"
                ),
                **_numbered("file", "line", "column", "severity", "message"),
            },
        },
    ),
}


_NAMED_PATTERNS: dict[str, tuple[Pattern, ...]] = {
    k: parse_patterns(v) for k, v in PATTERNS.items()
}


def _load() -> tuple[dict[str, Matcher], dict[str, tuple[str, ...]]]:
    patterns = _NAMED_PATTERNS
    matchers: dict[str, Matcher] = {}
    for name, (_, definition) in DEFINITIONS.items():  # a base comes before what extends it
        (matcher,) = parse_matchers(
            {**definition, "name": name}, lambda n: matchers.get(n.removeprefix("$")), patterns
        )
        matchers[name] = matcher
    return matchers, {name: tools for name, (tools, _) in DEFINITIONS.items()}


BUILTIN, TOOLS = _load()
"""Built-in matchers by name (without the `$`), and the tools whose output each reads."""


def named(name: str) -> Matcher | None:
    return BUILTIN.get(name.removeprefix("$"))


def resolve(value: Any) -> list[Matcher]:
    """tasks.json `problemMatcher` or intents.toml `matchers` as matchers (MatcherError if bad)."""
    return parse_matchers(value, named, _NAMED_PATTERNS)
