"""The classifier's knowledge, as data: which output lines mean which failure.

`RULES` is tried in order; the first rule whose tool was seen (in the command or its output) and
whose pattern matches a line of the output decides the category, and that line (or the pattern's
`message` group) becomes the message. The order is the precedence: a test runner's verdict before
the network errors a test may print, network errors before the "not found" a failed download
leads to, a missing dependency before the compile errors it causes, and generic forms last.
`NOISE` lines are a wrapper's report that something below it failed (make's "Error 1", npm's
lifecycle lines, just, tox, nox, cargo's "could not compile"); they are never the message.
"""

from __future__ import annotations

import re

import attrs

from intentls.failures.categories import ERROR, WARNING, Category

ANY = "*"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.M)


@attrs.frozen
class Rule:
    tool: str
    """The tool whose output this is; `*` when the pattern means the same from any tool."""
    pattern: re.Pattern[str] = attrs.field(converter=_compile)
    category: Category
    severity: str = ERROR
    transient: bool = False


@attrs.frozen
class ExitRule:
    """What an exit code alone says, when no output line said more."""

    tool: str
    codes: tuple[int, ...]
    category: Category
    transient: bool = False
    description: str = ""


C = Category
_PY_EXC = r"^(?:E\s+)?(?P<message>(?:[\w.]+\.)?(?:{names})(?:: .*)?)$"
_C_FILE = r"\S+\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|m|mm|s|S|ino)"
_PY_FILE = r"\S+\.pyi?"


def _any(*alternatives: str) -> str:
    """One pattern whose matching line is the message."""
    return r"^(?P<message>.*(?:" + "|".join(alternatives) + r").*)$"


RULES: tuple[Rule, ...] = (
    # Test runners' verdicts: a test that failed on a network error is still a failed test.
    Rule("pytest", r"^(?P<message>FAILED \S+::\S+.*)$", C.TEST_FAILURE),
    Rule("pytest", r"^(?P<message>ERROR \S+::\S+.*)$", C.TEST_FAILURE),
    Rule("pytest", r"^=+ (?P<message>(?:\d+ \w+, )*\d+ failed\b.*?) =+$", C.TEST_FAILURE),
    Rule("python", r"^(?P<message>(?:FAIL|ERROR): \w+ \(\S+\).*)$", C.TEST_FAILURE),
    Rule("jest", "^\\s*\u25cf (?!Test suite failed to run)(?P<message>\\S.*)$", C.TEST_FAILURE),
    Rule("jest", r"^(?P<message>Tests:\s+\d+ failed.*)$", C.TEST_FAILURE),
    Rule("node", r"^(?P<message>not ok \d+ - .*)$", C.TEST_FAILURE),
    Rule("node", r"^\s*(?P<message>\d+ failing)$", C.TEST_FAILURE),
    Rule("go", r"^\s*(?P<message>--- FAIL: .*)$", C.TEST_FAILURE),
    Rule("cargo", r"^(?P<message>test \S+ \.\.\. FAILED)$", C.TEST_FAILURE),
    Rule("cargo", r"^(?P<message>test result: FAILED\..*)$", C.TEST_FAILURE),
    # A person or the system stopped it.
    Rule(ANY, _PY_EXC.format(names="KeyboardInterrupt"), C.INTERRUPTED),
    # The machine ran out of something.
    Rule(
        ANY,
        _any(
            r"\bout of memory\b",
            r"MemoryError",
            r"Cannot allocate memory",
            r"\bENOMEM\b",
            r"heap out of memory",
            r"std::bad_alloc",
            r"No space left on device",
            r"\bENOSPC\b",
            r"Disk quota exceeded",
            r"Segmentation fault",
            r"core dumped",
            r"^Killed$",
            r"\] Killed$",
        ),
        C.RESOURCE,
    ),
    Rule(
        ANY,
        _any(
            r"Too many open files",
            r"\bE[MN]FILE\b",
            r"Resource temporarily unavailable",
            r"\bEAGAIN\b",
        ),
        C.RESOURCE,
        transient=True,
    ),
    # The network: transient unless a certificate is wrong.
    Rule(
        ANY,
        _any(
            r"SSL certificate problem",
            r"CERTIFICATE_VERIFY_FAILED",
            r"certificate verify failed",
            r"unable to get local issuer certificate",
            r"self[- ]signed certificate",
            r"x509: certificate",
        ),
        C.NETWORK,
    ),
    Rule(
        ANY,
        _any(
            r"Could not resolve host",
            r"Name or service not known",
            r"Temporary failure in name resolution",
            r"nodename nor servname",
            r"\bENOTFOUND\b",
            r"\bEAI_AGAIN\b",
            r"no such host",
            r"NameResolutionError",
            r"Connection refused",
            r"\bECONNREFUSED\b",
            r"Connection reset",
            r"\bECONNRESET\b",
            r"Network is unreachable",
            r"\bENETUNREACH\b",
            r"No route to host",
            r"Failed to establish a new connection",
            r"Max retries exceeded",
            r"RemoteDisconnected",
            r"socket hang up",
            r"Failed to connect to",
            r"Connection timed out",
            r"Operation timed out",
            r"\bETIMEDOUT\b",
            r"Read timed out",
            r"ReadTimeout",
            r"ConnectTimeout",
            r"i/o timeout",
            r"TLS handshake timeout",
            r"dial tcp",
            r"network request to .* failed",
            r"spurious network error",
            r"Could not fetch URL",
            r"HTTP(?: Error)? 5\d\d\b",
            r"\b50[234] (?:Bad Gateway|Service Unavailable|Gateway Time-?out)",
            r"returned error: 5\d\d\b",
            r"status code:? 5\d\d\b",
            r"\b500 Internal Server Error",
            r"(?:Connection|ConnectionReset|ConnectionAborted)Error\b",
        ),
        C.NETWORK,
        transient=True,
    ),
    # Something else holds what this needs: a lock, a port. Waiting helps.
    Rule(
        ANY,
        _any(
            r"\.lock'?: File exists",
            r"Another git process seems to be running",
            r"Could not get lock",
            r"Unable to acquire .*lock",
            r"database is locked",
            r"Blocking waiting for file lock",
            r"Address already in use",
            r"\bEADDRINUSE\b",
            r"address already in use",
            r"port \d+ is (?:already )?in use",
        ),
        C.CONFLICT,
        transient=True,
    ),
    # A merge conflict, a rejected push, a file in the way. Waiting does not help.
    Rule("git", r"^CONFLICT \([^)]*\): (?P<message>.*)$", C.CONFLICT),
    Rule(
        ANY,
        _any(
            r"Automatic merge failed",
            r"Merge conflict in",
            r"you need to resolve your current index first",
            r"needs merge",
            r"would be overwritten by (?:merge|checkout)",
            r"Updates were rejected",
            r"\[rejected\]",
            r"FileExistsError",
            r"File exists",
            r"\bEEXIST\b",
            r"already exists",
        ),
        C.CONFLICT,
    ),
    # The command itself is missing.
    Rule(
        ANY,
        _any(
            r"command not found",
            r": not found$",
            r"^/usr/bin/env: .*: No such file or directory",
            r"is not recognized as an internal or external command",
            r"spawn \S+ ENOENT",
            r"executable file not found in \$PATH",
            r"could not determine executable to run",
            r"Failed to spawn",
        ),
        C.COMMAND_NOT_FOUND,
    ),
    Rule(
        "make",
        r"^(?P<message>make(?:\[\d+\])?: \S+: No such file or directory)$"
        r"(?=[\s\S]*^make(?:\[\d+\])?: \*\*\* \[[^\]]*\] Error 127$)",
        C.COMMAND_NOT_FOUND,
    ),
    Rule(
        "make",
        r"^(?P<message>make(?:\[\d+\])?: \S+: No such file or directory)$",
        C.FILE_NOT_FOUND,
    ),
    # The code being run does not parse.
    Rule(ANY, _PY_EXC.format(names="SyntaxError|IndentationError|TabError"), C.SYNTAX),
    Rule("ruff", r"^(?P<message>invalid-syntax: .*)$", C.SYNTAX),
    Rule("mypy", r"^(?P<message>" + _PY_FILE + r":\d+(?::\d+)?: error: .*\[syntax\])$", C.SYNTAX),
    Rule(ANY, r"^(?P<message>.*\berror TS1\d{3}: .*)$", C.SYNTAX),
    Rule(
        ANY,
        _any(
            r"syntax error near unexpected token",
            r"syntax error: unexpected end of file",
            r"unexpected EOF while looking for matching",
            r": Syntax error: ",
            r"missing separator",
            r"unterminated variable reference",
            r"\bEJSONPARSE\b",
            r"JSONDecodeError",
            r"in JSON at position",
            r"TOMLDecodeError",
            r"ParseError: ",
        ),
        C.SYNTAX,
    ),
    # A module, package, header, library or crate is missing.
    Rule(ANY, r"^(?P<message>.*Cannot find module '[./].*)$", C.FILE_NOT_FOUND),
    Rule(ANY, _PY_EXC.format(names="ModuleNotFoundError|ImportError"), C.DEPENDENCY),
    Rule("npm", r"^npm (?:ERR!|error) (?P<message>404 .*)$", C.DEPENDENCY),
    Rule(
        ANY,
        _any(
            r"No module named",
            r"Cannot find module",
            r"\bERR_MODULE_NOT_FOUND\b",
            r"Cannot find package '",
            _C_FILE + r":\d+:\d+: fatal error: \S+: No such file or directory",
            r"cannot find -l\S+",
            r"library not found for -l",
            r"Could not find a version that satisfies the requirement",
            r"No matching distribution found for",
            r"ResolutionImpossible",
            r"conflicting dependencies",
            r"\bE404\b",
            r"404 Not Found - GET",
            r"\bERESOLVE\b",
            r"No matching version found for",
            r"\bETARGET\b",
            r"error\[E0463\]",
            r"error\[E0432\]",
            r"no matching package named",
            r"failed to select a version for",
            r"no required module provides package",
            r"cannot find package",
            r"missing go\.sum entry",
            r"is not in (?:GOROOT|std)",
            r"cannot find module providing package",
            r"\[import-not-found\]",
            r"\[import-untyped\]",
            r"Library stubs not installed",
            r"Cannot find implementation or library stub",
            r"was not found in the pkg-config search path",
        ),
        C.DEPENDENCY,
    ),
    # Bad arguments to the command.
    Rule(
        ANY,
        _any(
            r"unrecognized arguments",
            r"the following arguments are required",
            r"error: argument ",
            r"invalid choice",
            r"unrecognized option",
            r"unrecognised option",
            r"unknown option",
            r"invalid option",
            r"illegal option",
            r"unrecognized command[- ]line option",
            r"unexpected argument",
            r"requires an argument",
            r"unknown (?:sub)?command",
            r"Unknown command",
            r"no such (?:sub)?command",
            r"no such option",
            r"No such command",
            r"flag provided but not defined",
            r"unknown (?:shorthand )?flag",
            r"is not a git command",
            r"Missing script",
            r"\bEUSAGE\b",
            r"No rule to make target '[^']*'\.",
            r"no input files",
            r"not a git repository",
            r"ambiguous argument",
            r"unknown revision",
            r"invalid reference",
            r"not a valid object name",
            r"couldn't find remote ref",
            r"did not match any",
            r"nothing to commit",
            r"No configured push destination",
            r"has no upstream branch",
            r"nothing added to commit",
            r"no changes added to commit",
            r"^curl: \((?:2|3)\)",
        ),
        C.USAGE,
    ),
    # Nothing is there.
    Rule(
        ANY,
        _any(
            r"No such file or directory",
            r"FileNotFoundError",
            r"\bENOENT\b",
            r"can't open file",
            r"cannot access",
            r"file or directory not found",
            r"No rule to make target",
            r"cannot find the (?:file|path)",
            r"does not exist",
            r"not found in (?:the )?(?:current directory|any parent directory)",
            r"go\.mod file not found",
            r"could not find `Cargo\.toml`",
            r"Could not open requirements file",
            r"returned error: 404\b",
            r"^curl: \(37\)",
            r"repository .* not found",
        ),
        C.FILE_NOT_FOUND,
    ),
    Rule(
        ANY,
        _any(
            r"Permission denied",
            r"permission denied",
            r"\bEACCES\b",
            r"\bEPERM\b",
            r"Operation not permitted",
            r"PermissionError",
            r"Access is denied",
            r"Read-only file system",
            r"\bEROFS\b",
            r"Could not read from remote repository",
            r"Authentication failed",
            r"HTTP(?: Error)? 40[13]\b",
        ),
        C.PERMISSION,
    ),
    # The code was checked and found wanting.
    Rule(ANY, r"^(?P<message>.*\berror TS\d+: .*)$", C.TYPE_ERROR),
    Rule("mypy", r"^(?P<message>" + _PY_FILE + r":\d+(?::\d+)?: error: .*)$", C.TYPE_ERROR),
    Rule("mypy", r"^(?P<message>Found \d+ errors? in \d+ files?.*)$", C.TYPE_ERROR),
    Rule("pyright", r"^\s*(?P<message>" + _PY_FILE + r":\d+:\d+ - error: .*)$", C.TYPE_ERROR),
    Rule(
        ANY, r"^(?P<message>" + _C_FILE + r":\d+(?::\d+)?: (?:fatal )?error: .*)$", C.COMPILE_ERROR
    ),
    Rule(
        ANY,
        _any(
            r"undefined reference to",
            r"ld returned \d+ exit status",
            r"Undefined symbols for architecture",
            r"linker command failed",
            r"\berror CS\d+:",
            r"\berror C\d{4}:",
        ),
        C.COMPILE_ERROR,
    ),
    Rule("go vet", r"^(?P<message>\S+\.go:\d+:\d+: .*)$", C.LINT, WARNING),
    Rule(ANY, r"^(?P<message>\S+\.go:\d+(?::\d+)?: .*)$", C.COMPILE_ERROR),
    Rule("cargo", r"^(?P<message>error(?:\[E\d+\])?: .*)$", C.COMPILE_ERROR),
    Rule(ANY, r"^(?P<message>\S+:\d+:\d+: [A-Z]+\d+:? .*)$", C.LINT, WARNING),
    Rule(ANY, r"^(?P<message>\S+:\d+:\d+: \w+: .*\[SC\d{4}\])$", C.LINT, WARNING),
    Rule(ANY, r"^\s*\^-+ (?P<message>SC\d{4} .*)$", C.LINT, WARNING),
    Rule("eslint", r"^\s+(?P<message>\d+:\d+\s+error\s+.*)$", C.LINT, WARNING),
    Rule(ANY, r"^(?P<message>\S+:\d+:\d+: .* \[(?:Error|Warning)/\S+\])$", C.LINT, WARNING),
    Rule("jshint", r"^(?P<message>\S+: line \d+, col \d+, .*)$", C.LINT, WARNING),
    Rule("jshint", r"^\s+(?P<message>line \d+\s+col \d+\s+.*)$", C.LINT, WARNING),
    Rule("ruff", r"^(?P<message>[A-Z]+\d+ (?:\[\*\] )?.*)\n\s*--> ", C.LINT, WARNING),
    Rule(
        ANY,
        _any(
            r"^Found \d+ errors?\.",
            r"\d+ problems? \(\d+ errors?",
            r"^Would reformat: ",
            r"would reformat",
            r"files? would be reformatted",
            r"Imports are incorrectly sorted",
            r"Your code has been rated at",
            r"line \d+, col \d+, Error - ",
        ),
        C.LINT,
        WARNING,
    ),
    Rule(ANY, r"^(?P<message>(?:\S+: )?(?i:error|fatal)(?:\[\w+\])?: .*)$", C.UNKNOWN),
    Rule(ANY, _PY_EXC.format(names=r"\w*(?:Error|Exception|Exit)"), C.UNKNOWN),
    Rule(ANY, r"^(?P<message>.*: unbound variable)$", C.UNKNOWN),
    Rule(ANY, r"^thread '[^']*'(?: \(\d+\))? panicked at \S+:\n(?P<message>.*)$", C.UNKNOWN),
)

NOISE: re.Pattern[str] = re.compile(
    "|".join(
        (
            r"^make(?:\[\d+\])?: \*\*\* \[[^\]]*\] Error (?!127$)\d+",
            r"^make(?:\[\d+\])?: \*\*\* Waiting for unfinished jobs",
            r"^make(?:\[\d+\])?: (?:Entering|Leaving) directory",
            r"^npm (?:ERR!|error) (?:code (?:ELIFECYCLE|\d+)$|errno |path |command |signal "
            r"|Failed at the |Lifecycle script |A complete log of this run"
            r"|This is probably not a problem|in workspace|at location|workspace |\S+@\S+ \S+: |$)",
            r"^> \S+@\S+ \S+",
            r"^error Command failed with exit code \d+",
            r"^info Visit https://yarnpkg",
            r"ELIFECYCLE\s+\w+ failed",
            r"^error: Recipe `[^`]*` failed",
            r"^ERROR: InvocationError for command",
            r"^\s*\S+: (?:commands failed|FAIL code \d+|exit \d+ \()",
            r"^\s*evaluation failed :\(",
            r"^ERROR:\s+\S+: (?:commands failed|parallel child exit code)",
            r"^nox > (?:Command .* failed with exit code|Session \S+ failed|Ran multiple sessions)",
            r"^nox > \* ",
            r"^error: could not compile `",
            r"^error: aborting due to",
            r"^error: test failed, to rerun pass",
            r"^For more information about this error, try `rustc --explain",
            r"^note: (?:run with `RUST_BACKTRACE|Some details are omitted)",
            r"^exit status \d+$",
            r"^Error: Process completed with exit code",
            r"^Command exited with non-zero status",
            r"^note: This error originates from a subprocess",
            r"^error: subprocess-exited-with-error",
            r"^\[notice\] ",
            r"^!+ Interrupted: \d+ errors? during collection !+$",
            r"^\s*[-=_~^*#+.│─]*\s*$",
        )
    ),
    re.M,
)

SIGNATURES: dict[str, re.Pattern[str]] = {
    tool: _compile(pattern)
    for tool, pattern in {
        "python": r"^Traceback \(most recent call last\):|^\s+File \"[^\"]+\", line \d+",
        "pytest": r"^=+ (?:test session starts|FAILURES|ERRORS|short test summary info) =+$",
        "make": r"^make(?:\[\d+\])?: ",
        "mypy": r"^Found \d+ errors? in \d+ files? \(checked",
        "pyright": r"^\d+ errors?, \d+ warnings?, \d+ informations?",
        "eslint": r"^✖ \d+ problems? \(",
        "jest": r"^Tests:\s+\d+",
        "node": "^# (?:fail|tests) \\d+|^\u2139 fail \\d+|^\\s+\\d+ passing",
        "go": r"^--- FAIL: |^FAIL\s+\S+|^# \S+\n\S+\.go:",
        "cargo": r"^\s+--> \S+:\d+:\d+$|^error: could not compile `|^test result: ",
        "git": r"^CONFLICT \(",
        "tsc": r"\berror TS\d+: ",
        "gcc": r"^\S+\.(?:c|cc|cpp|cxx|h|hpp):\d+:\d+: (?:fatal )?(?:error|warning):",
        "ruff": (
            r"^[A-Z]+\d+ (?:\[\*\] )?.*\n\s*--> |^\S+:"
            r"\d+:\d+: [A-Z]+\d+ |^Found \d+ errors?\.$"
        ),
    }.items()
}

SIGNALS: dict[int, Category] = {
    1: C.INTERRUPTED,
    2: C.INTERRUPTED,
    15: C.INTERRUPTED,
    6: C.RESOURCE,
    7: C.RESOURCE,
    9: C.RESOURCE,
    11: C.RESOURCE,
    24: C.RESOURCE,
    25: C.RESOURCE,
}
"""A process killed by a signal: a person or a supervisor stopped it, or it hit a limit."""

EXIT_RULES: tuple[ExitRule, ...] = (
    ExitRule("pytest", (2,), C.INTERRUPTED, description="pytest was interrupted"),
    ExitRule("pytest", (4,), C.USAGE, description="pytest usage error"),
    ExitRule("pytest", (5,), C.USAGE, description="no tests collected"),
    ExitRule("mypy", (2,), C.USAGE, description="mypy could not run"),
    ExitRule("ruff", (2,), C.USAGE, description="ruff could not run"),
    ExitRule("git", (129,), C.USAGE, description="git usage error"),
    ExitRule("curl", (2, 3), C.USAGE, description="curl usage error"),
    ExitRule("curl", (5, 6, 7, 28, 52, 55, 56), C.NETWORK, True, "curl network error"),
    ExitRule("curl", (35, 60), C.NETWORK, description="curl TLS error"),
    ExitRule(ANY, (127,), C.COMMAND_NOT_FOUND, description="command not found (exit 127)"),
    ExitRule(ANY, (126,), C.PERMISSION, description="command not executable (exit 126)"),
)
