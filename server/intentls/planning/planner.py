"""Intent text → `Plan`: steps with dependencies, nothing executed.

Stages joined by `then` depend on every exit step of the stage before; segments joined by `and`
share the same dependencies and so may run at once. A named intent expands to its actions in
order, recursively for `{intent = "…"}` steps.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from intentls.model import IntentWarning, Plan, PlanStep, WarningKind
from intentls.planning import graph, phrases
from intentls.planning.catalog import FolderIntents
from intentls.planning.grammar import Composition, GrammarError, Segment, Word, parse
from intentls.planning.intents import IntentDef, IntentRef, ShellAction
from intentls.planning.variables import (
    EditorContext,
    Secrets,
    VariableError,
    expand_argv,
    expand_plain,
    expand_shell,
)
from intentls.tools import registry
from intentls.tools.base import PlanContext, ToolError
from intentls.tools.confine import Roots

BUILTIN = "builtin:"
"""`builtin:rename a to b`: the phrase reading of a segment, even where an intent has that name."""

MAX_INTENT_CHARS = 64 * 1024
"""Longer text is refused before it is read (parsing and "did you mean" cost grows with it)."""
MAX_DEPTH = 16


class IntentError(ValueError):
    """The text names nothing runnable; the message says what and suggests the closest names."""


class AmbiguousIntent(IntentError):
    """Several intents fit one segment; a person must pick (never guessed)."""

    def __init__(self, text: str, word: Word, candidates: list[str]) -> None:
        super().__init__(f"'{word.text}' could mean {', '.join(candidates)}")
        self.segment = word.text
        self.candidates = candidates
        self.alternatives = [text[: word.start] + c + text[word.end :] for c in candidates]
        """The whole intent text once per candidate, ready to run."""


@attrs.frozen
class PlanRequest:
    text: str
    folder: Path
    folder_uri: str
    cwd: Path
    """Where `$ …` commands run: the request's `cwd`, else the folder."""
    params: dict[str, str] = attrs.Factory(dict)
    roots: tuple[Path, ...] = ()
    """Workspace folders the built-in tools are confined to; empty: just `folder`."""
    editor: EditorContext | None = None
    """Where the person is (file, line, selection), for `${file}` and friends."""

    def variables(self) -> EditorContext:
        return self.editor or EditorContext(self.folder)


class Planner:
    def __init__(self, intents: FolderIntents, request: PlanRequest) -> None:
        self._intents = intents
        self._request = request
        self._ids = (f"s{n}" for n in itertools.count(1))
        self._steps: list[PlanStep] = []
        self._confidence = 1.0
        self._tools = PlanContext(
            request.folder, request.cwd, Roots.of(request.roots or (request.folder,))
        )

    @classmethod
    def plan(cls, intents: FolderIntents, request: PlanRequest) -> Plan:
        planner = cls(intents, request)
        composition = planner._parse(request.text)
        planner._stages(composition, deps=[], stack=())
        steps, reasons = graph.order_by_paths(planner._steps)
        return Plan(
            goal=request.text,
            folder=request.folder_uri,
            steps=steps,
            confidence=planner._confidence,
            warnings=[IntentWarning(WarningKind.ORDERED, reason) for reason in reasons],
            levels=graph.levels(steps),
            critical_path=graph.critical_path(steps),
            reading=composition.reading(),
        )

    def _parse(self, text: str) -> Composition:
        if len(text) > MAX_INTENT_CHARS:
            raise IntentError(
                f"an intent of {len(text):,} characters is longer than intentls reads "
                f"({MAX_INTENT_CHARS:,})"
            )
        try:
            return parse(text, self._reads_as_intent)
        except GrammarError as exc:
            raise IntentError(f"cannot read intent {text!r}: {exc}") from None

    def _reads_as_intent(self, words: Sequence[Word]) -> bool:
        """After shell text, whether `and`/`then` hand over to `words` (grammar v1.1): a known
        name, `builtin:…` or a built-in phrase."""
        first = words[0]
        if not first.quoted and first.text.startswith(BUILTIN):
            return True
        return bool(self._intents.lookup(first.text)) or phrases.match(list(words)) is not None

    def _text(self, text: str, deps: list[str], stack: tuple[str, ...]) -> list[str]:
        """Plan `text` after `deps`; returns its exit steps."""
        return self._stages(self._parse(text), deps, stack)

    def _stages(
        self, composition: Composition, deps: list[str], stack: tuple[str, ...]
    ) -> list[str]:
        for stage in composition.stages:
            deps = [exit_ for seg in stage for exit_ in self._segment(seg, deps, stack)]
        return deps

    def _segment(self, seg: Segment, deps: list[str], stack: tuple[str, ...]) -> list[str]:
        if seg.is_shell:
            action = ShellAction(seg.shell_command)
            return [self._shell(action, f"$ {action.command}", None, self._request.cwd, deps)]
        # A phrase takes every value; words passed on to an intent's command keep `${env:…}`
        # as typed (the command refers to the variable: see `_shell`).
        full = self._with_variables(seg)
        seg = self._with_variables(seg, keep_env=True)
        first = seg.words[0]
        name, extra = first.text, [w.text for w in seg.words[1:]]
        if not first.quoted and name.startswith(BUILTIN):
            verb = attrs.evolve(full.words[0], text=full.words[0].text[len(BUILTIN) :])
            phrase = phrases.match([verb, *full.words[1:]])
            if phrase is None:
                raise IntentError(f"{seg.raw!r} is not a built-in phrase{self._phrase_hint(verb)}")
            return [self._builtin(seg, phrase, deps)]
        found = self._intents.lookup(name)
        phrase = phrases.match(full.words)
        if phrase is not None and found:
            names = sorted([*(i.qualified_name for i in found), BUILTIN + name])
            if stack:
                raise IntentError(
                    f"{stack[-1]} says {seg.raw!r}, which is both the built-in phrase and the "
                    f"intent {name!r}: write {BUILTIN}{seg.raw} or SOURCE:{name} there"
                )
            raise AmbiguousIntent(self._request.text, first, names)
        if phrase is not None:
            return [self._builtin(seg, phrase, deps)]
        if not found and name.lower() in phrases.USAGE and not first.quoted:
            raise IntentError(
                f"{seg.raw!r} does not read as the built-in phrase "
                f"{phrases.USAGE[name.lower()]}, and no intent is named {name!r}"
            )
        if not found:
            raise IntentError(self._unknown(name) + self._phrase_hint(first))
        if len(found) > 1:
            names = sorted(i.qualified_name for i in found)
            if stack:  # inside a definition: the file must say which
                raise IntentError(
                    f"{stack[-1]} refers to {name!r}, which several sources define "
                    f"({', '.join(names)}): use one of those names there"
                )
            raise AmbiguousIntent(self._request.text, seg.words[0], names)
        return self._intent(found[0], extra, deps, stack)

    def _intent(
        self, intent: IntentDef, extra: list[str], deps: list[str], stack: tuple[str, ...]
    ) -> list[str]:
        if intent.qualified_name in stack or len(stack) >= MAX_DEPTH:
            cycle = " → ".join((*stack, intent.qualified_name))
            raise IntentError(f"intent {intent.name!r} refers to itself: {cycle}")
        stack = (*stack, intent.qualified_name)
        deps = self._dependencies(intent, deps, stack)
        values, extra = self._param_values(intent, extra)
        if extra and not (len(intent.actions) == 1 and isinstance(intent.actions[0], ShellAction)):
            raise IntentError(
                f"intent {intent.name!r} has several steps; extra words {extra} cannot be passed on"
            )
        for action in intent.actions:
            if isinstance(action, IntentRef):
                deps = self._text(action.text, deps, stack)
                continue
            command = _substitute(action.command, values, shlex.quote)
            argv = [_substitute(a, values, str) for a in action.argv] if action.argv else None
            if extra:
                command = " ".join([command, *map(shlex.quote, extra)])
                argv = [*argv, *extra] if argv else None
            title = action.title or (
                intent.name if len(intent.actions) == 1 else f"{intent.name}: {command}"
            )
            cwd = self._request.folder / action.cwd if action.cwd else self._request.folder
            action = attrs.evolve(action, command=command, argv=argv)
            deps = [self._shell(action, title, intent, cwd, deps)]
        return deps

    def _dependencies(
        self, intent: IntentDef, deps: list[str], stack: tuple[str, ...]
    ) -> list[str]:
        """Plan what `intent` depends on: all at once after `deps`, or one after another."""
        if not intent.depends_on:
            return deps
        if intent.depends_in_sequence:
            for text in intent.depends_on:
                deps = self._text(text, deps, stack)
            return deps
        return [exit_ for text in intent.depends_on for exit_ in self._text(text, deps, stack)]

    def _with_variables(self, seg: Segment, keep_env: bool = False) -> Segment:
        """`${file}` and friends in a phrase or an intent's extra words become their values."""
        if "${" not in seg.raw:
            return seg
        ctx = self._request.variables()
        words = [
            attrs.evolve(w, text=expand_plain(w.text, ctx, strict=False, keep_env=keep_env))
            for w in seg.words
        ]
        return attrs.evolve(seg, words=words)

    def _shell(
        self,
        action: ShellAction,
        title: str,
        intent: IntentDef | None,
        cwd: Path,
        deps: list[str],
    ) -> str:
        # Editor variables: in tasks.json every `${…}` is one (an unknown one is an error);
        # elsewhere an unknown `${…}` belongs to the shell.
        # `${env:…}` values never enter what is shown and recorded: a shell command refers to
        # them (`"${API_TOKEN}"`, the value in the process's environment), argument words keep
        # the text as typed and run with the value.
        ctx, strict = self._request.variables(), intent is not None and intent.source == "vscode"
        secrets = Secrets(frozenset(action.env))
        run_argv = None
        try:
            env = {k: expand_plain(v, ctx, strict) for k, v in action.env.items()}
            command = expand_shell(action.command, ctx, strict, secrets)
            argv = None
            if action.argv:
                argv, run_argv = expand_argv(action.argv, ctx, strict)
            action = attrs.evolve(action, command=command, argv=argv, env=env)
            cwd = Path(expand_plain(os.fspath(cwd), ctx, strict))
        except VariableError as exc:
            raise IntentError(f"{title}: {exc}") from None
        step_id = next(self._ids)
        args: dict[str, object] = {"command": action.command, "cwd": self._relative(cwd)}
        if action.argv is not None:
            args["argv"] = list(action.argv)
        if action.env:
            args["env"] = sorted(action.env)  # names only: values may be secrets
        if intent is not None:
            args["intent"] = intent.qualified_name
            if intent.resources:
                args["resources"] = sorted(intent.resources)
            if intent.atomic:
                args["atomic"] = True
            if intent.retries is not None:
                args["retries"] = intent.retries
            if intent.up_to_date and not intent.background:
                args["upToDate"] = True
                if intent.inputs is not None:
                    args["inputs"] = list(intent.inputs)
                if intent.outputs:
                    args["outputs"] = list(intent.outputs)
            if intent.problem_matchers:
                args["matchers"] = list(intent.problem_matchers)
            if intent.background:
                args["background"] = True
                if intent.ready:
                    args["ready"] = intent.ready
        self._steps.append(
            PlanStep(
                id=step_id,
                title=title,
                tool="shell",
                args=args,
                depends_on=list(deps),
                risk=1,
                needs_trust=intent.needs_trust if intent else True,
                cwd=os.fspath(cwd),
                env={**action.env, **secrets.values},
                timeout_s=action.timeout_s,
                run_argv=run_argv,
            )
        )
        return step_id

    def _builtin(self, seg: Segment, phrase: phrases.Phrase, deps: list[str]) -> str:
        try:
            planned = registry.plan(phrase.tool, phrase.args, self._tools)
        except ToolError as exc:
            raise IntentError(f"{seg.raw!r}: {exc.message}") from None
        step_id = next(self._ids)
        self._steps.append(
            PlanStep(
                id=step_id,
                title=planned.title,
                tool=phrase.tool,
                args=planned.args,
                depends_on=list(deps),
                risk=planned.risk,
                needs_trust=False,
                cwd=os.fspath(self._request.cwd),
            )
        )
        self._confidence = min(self._confidence, phrase.confidence)
        return step_id

    def _phrase_hint(self, word: Word) -> str:
        """A hint towards the phrase whose verb `word` resembles."""
        verb = word.text.lower()
        close = difflib.get_close_matches(verb, phrases.VERBS, n=1, cutoff=0.75)
        if verb in phrases.USAGE:
            return f"; the built-in phrase reads: {phrases.USAGE[verb]}"
        if close:
            return f"; or the built-in phrase {phrases.USAGE[close[0]]}?"
        return ""

    def _param_values(
        self, intent: IntentDef, extra: list[str]
    ) -> tuple[dict[str, str], list[str]]:
        """Each param's value — the request's, else for a positional intent the next extra word,
        else its default — and the extra words left over."""
        values = {}
        words = list(extra)
        for param in intent.params:
            value = self._request.params.get(param.name)
            if value is None and intent.positional and words:
                value = words.pop(0)
            if value is None:
                value = param.default
            if value is None:
                raise IntentError(
                    f"intent {intent.name!r} needs params.{param.name}"
                    + (f" ({param.description})" if param.description else "")
                )
            values[param.name] = value
        return values, words

    def _relative(self, path: Path) -> str:
        try:
            rel = path.relative_to(self._request.folder)
        except ValueError:
            return os.fspath(path)
        return os.fspath(rel) if rel.parts else "."

    def _unknown(self, name: str) -> str:
        close = self._intents.closest(name)
        known = sorted({i.name for i in self._intents.listed()})
        if close:
            hint = f"did you mean {' or '.join(close)}?"
        elif known:
            hint = f"known intents: {', '.join(known[:10])}"
        else:
            hint = "this folder defines no intents (add an intents.toml, or run '$ command')"
        problems = "".join(f"; {p}" for p in self._intents.problems)
        return f"unknown intent {name!r}: {hint}{problems}"


_PLACEHOLDER = re.compile(r"\$\{(?:input:)?([A-Za-z_][\w-]*)\}")
"""A declared param: `${name}`, or `${input:name}` (tasks.json inputs)."""


def _substitute(text: str, values: dict[str, str], quote: Callable[[str], str]) -> str:
    """`${name}` of a declared param → its value (shell-quoted in a command, as is in an argv
    item), in one pass (a value is never substituted into again); any other `${…}` is left."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return quote(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(value, text)
