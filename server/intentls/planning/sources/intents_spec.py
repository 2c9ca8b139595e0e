"""The shape of an `intents.toml` entry as attrs classes.

The parser structures each `[intents.NAME]` table into `IntentSpec`, and `intents.schema.json`
is generated from the same classes (`intentls.planning.sources.schema`), so what editors
validate and complete cannot drift from what the server reads. Each field's `metadata` holds
its description and any JSON Schema constraint the type alone does not say.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, override

MAX_RETRIES = 10
STEP_SHAPE = 'each step is a command string, {run = "…"} or {intent = "…"}'


def doc(description: str, key: str | None = None, **schema: Any) -> dict[str, Any]:
    """Field metadata: its description, its key in the file when not the field's name, and
    schema constraints (`minLength`, `minimum`, …) beyond its type."""
    return {"description": description, "key": key, "schema": schema}


MatcherDef = str | dict[str, Any]
"""A problem matcher as tasks.json gives one: a name or an object."""


def _matchers(_: Any, field: attrs.Attribute[Any], value: list[MatcherDef] | None) -> None:
    """The matchers (built-in ones, compiled patterns) load only for a file that names some."""
    if value is not None:
        from intentls.failures.matchers.builtin import resolve as check_matchers
        from intentls.failures.matchers.schema import MatcherError

        try:
            check_matchers(value)
        except MatcherError as exc:
            raise ValueError(f"{key_of(field)}: {exc}") from None


def _non_blank(_: Any, field: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValueError(f"{key_of(field)} must be a non-empty string")


def _positive(_: Any, field: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{key_of(field)} must be a positive number of seconds")


def _regex(_: Any, field: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"{key_of(field)} is not a regular expression: {exc}") from None


def _non_empty(_: Any, field: attrs.Attribute[Any], value: list[Any] | None) -> None:
    if value is not None and not value:
        raise ValueError(f"{key_of(field)} must be a non-empty array")


def key_of(field: attrs.Attribute[Any]) -> str:
    """The field's key as written in the file."""
    key = field.metadata.get("key")
    return key if isinstance(key, str) else field.name


Scalar = str | int | float | bool


@attrs.frozen(kw_only=True)
class ParamSpec:
    """A parameter the intent's commands refer to as `${params.NAME}`."""

    description: str | None = attrs.field(
        default=None, metadata=doc("Shown when the value is asked for.")
    )
    default: Scalar | None = attrs.field(
        default=None, metadata=doc("The value used when none is given.")
    )


@attrs.frozen(kw_only=True)
class StepSpec:
    """One step of `steps` written as a table: a command of its own, or another intent."""

    one_of: ClassVar[list[str]] = ["run", "intent"]
    """Exactly one of these keys (the schema's `oneOf`, the check in `__attrs_post_init__`)."""

    run: str | None = attrs.field(
        default=None,
        validator=_non_blank,
        metadata=doc("A shell command line.", minLength=1),
    )
    intent: str | None = attrs.field(
        default=None, metadata=doc("Intent text planned in place of this step (`lint`).")
    )
    title: str | None = attrs.field(default=None, metadata=doc("The step's name in progress."))
    cwd: str | None = attrs.field(
        default=None, metadata=doc("Where the step runs, relative to the folder.")
    )
    env: dict[str, str] = attrs.field(
        factory=dict, metadata=doc("Environment variables for this step, over the intent's.")
    )

    def __attrs_post_init__(self) -> None:
        if (self.run is None) == (self.intent is None):
            raise ValueError(STEP_SHAPE)


@attrs.frozen(kw_only=True)
class IntentSpec:
    """`[intents.NAME]`: a named intent of the project."""

    one_of: ClassVar[list[str]] = ["run", "steps"]

    description: str | None = attrs.field(
        default=None, metadata=doc("One line shown beside the name.")
    )
    title: str | None = attrs.field(
        default=None, metadata=doc("The name shown in menus (default: the intent's name).")
    )
    run: str | None = attrs.field(
        default=None,
        validator=_non_blank,
        metadata=doc("A shell command line (or give `steps`).", minLength=1),
    )
    steps: list[str | StepSpec] | None = attrs.field(
        default=None,
        validator=_non_empty,
        metadata=doc(
            "Steps run one after another: command strings, {run = …} or {intent = …}.",
            minItems=1,
        ),
    )
    cwd: str | None = attrs.field(
        default=None, metadata=doc("Where the commands run, relative to the folder.")
    )
    env: dict[str, str] = attrs.field(
        factory=dict, metadata=doc("Environment variables for every step.")
    )
    timeout: float | None = attrs.field(
        default=None,
        validator=_positive,
        metadata=doc("Seconds a step may run before it is stopped.", exclusiveMinimum=0),
    )
    params: dict[str, ParamSpec | Scalar] = attrs.field(
        factory=dict,
        metadata=doc("Parameters (`${params.NAME}`): a table, or just the default value."),
    )
    needs: list[str] = attrs.field(
        factory=list, metadata=doc("Intents that must succeed first (run at once).")
    )
    resources: list[str] = attrs.field(
        factory=list,
        metadata=doc("Named resources: never held by two running steps at the same time."),
    )
    atomic: bool = attrs.field(
        default=False, metadata=doc("A failed step undoes what the completed steps changed.")
    )
    background: bool = attrs.field(
        default=False, metadata=doc("Never ends by itself (a dev server, a watcher).")
    )
    ready: str | None = attrs.field(
        default=None,
        validator=_regex,
        metadata=doc(
            "A regular expression the output matches once a background intent is ready.",
            format="regex",
        ),
    )
    up_to_date: bool = attrs.field(
        default=False,
        metadata=doc(
            "Skip its steps while nothing they read changed since their last success "
            "(their output is replayed; `force` runs them).",
            key="upToDate",
        ),
    )
    inputs: list[str] | None = attrs.field(
        default=None,
        metadata=doc(
            "What its steps read: gitignore-style globs (implies upToDate; default: every "
            "file git would not ignore)."
        ),
    )
    retries: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(
            [attrs.validators.ge(0), attrs.validators.le(MAX_RETRIES)]
        ),
        metadata=doc(
            "Tries after the first when a step fails for a passing reason (network, a lock "
            "held); never for failing tests, compile errors or lint. Default 2; 0: never.",
            minimum=0,
            maximum=MAX_RETRIES,
        ),
    )
    outputs: list[str] = attrs.field(
        factory=list,
        metadata=doc(
            "What its steps make: not inputs, and must still be as the last success left "
            "them (implies upToDate)."
        ),
    )

    matchers: list[MatcherDef] | None = attrs.field(
        default=None,
        validator=_matchers,
        metadata=doc(
            "Problem matchers that turn its failed output into diagnostics: names (`$gcc`) or "
            "VS Code problem-matcher objects (docs/failures.md); default: chosen from the "
            "command and its output."
        ),
    )

    def __attrs_post_init__(self) -> None:
        if self.run is not None and self.steps is not None:
            raise ValueError("give either run or steps, not both")
        if self.run is None and self.steps is None:
            raise ValueError('needs run = "…" or steps = [...]')


class SpecError(ValueError):
    """An entry does not fit the spec: each wrong place (a key path such as `steps[0].run`, or
    "" for the entry as a whole) with what is wrong there."""

    def __init__(self, places: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {what}" if path else what for path, what in places))
        self.places = places


def read_intent(raw: Any) -> IntentSpec:
    """One `[intents.NAME]` table as an `IntentSpec`, or a `SpecError` saying what is wrong."""
    if not isinstance(raw, dict):
        raise SpecError([("", "must be a table")])
    try:
        return _converter.structure(raw, IntentSpec)
    except cattrs.BaseValidationError as exc:
        lines = cattrs.transform_error(exc, "", _describe)
        raise SpecError([_placed(line) for line in lines]) from None
    except (ValueError, TypeError) as exc:
        raise SpecError([("", str(exc))]) from None


def _describe(exc: BaseException, _type: Any) -> str:
    """cattrs appends ` @ PATH`; messages read `PATH: what is wrong` instead."""
    return str(exc) if isinstance(exc, ValueError | TypeError) else "is missing"


def _placed(line: str) -> tuple[str, str]:
    message, _, path = line.rpartition(" @ ")
    return path.lstrip("."), message


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)

    def strict(kind: type[Any], what: str) -> Any:
        def structure(value: Any, _: Any) -> Any:
            if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
                raise TypeError(f"must be {what}, not {_toml_kind(value)}")
            return value

        return structure

    conv.register_structure_hook(str, strict(str, "a string"))
    conv.register_structure_hook(bool, strict(bool, "true or false"))
    conv.register_structure_hook(float, strict(int | float, "a number"))  # type: ignore[arg-type]
    conv.register_structure_hook(int, strict(int, "a whole number"))

    def scalar(value: Any, _: Any) -> Any:
        if not isinstance(value, str | int | float | bool):
            raise TypeError(f"must be a string, number or boolean, not {_toml_kind(value)}")
        return value

    def matcher(value: Any, _: Any) -> MatcherDef:
        if not isinstance(value, str | dict):
            raise TypeError(f"must be a matcher's name or table, not {_toml_kind(value)}")
        return value

    conv.register_structure_hook(MatcherDef, matcher)

    def step(value: Any, _: Any) -> str | StepSpec:
        if isinstance(value, str):
            return conv.structure(value, str)
        if isinstance(value, dict):
            return conv.structure(value, StepSpec)
        raise TypeError(STEP_SHAPE)

    def param(value: Any, _: Any) -> ParamSpec | Scalar:
        if isinstance(value, dict):
            return conv.structure(value, ParamSpec)
        return scalar(value, None)  # type: ignore[no-any-return]

    def each(items: Any, item_type: Any, outer: Any) -> list[tuple[Any, Any]]:
        """Structure every (key or index, value), collecting errors with their place, as
        cattrs' own collection hooks do, so a message says which element is wrong."""
        done, errors = [], []
        for place, value in items:
            try:
                done.append((place, conv.structure(value, item_type)))
            except Exception as exc:  # every element's error is reported
                exc.add_note(IterableValidationNote(f"@ {place}", place, item_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid elements", errors, outer)
        return done

    def table(value: Any, cls: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise TypeError(f"must be a table, not {_toml_kind(value)}")
        return dict(each(value.items(), cls.__args__[1], cls))

    def array(value: Any, cls: Any) -> list[Any]:
        if not isinstance(value, list):
            raise TypeError(f"must be an array, not {_toml_kind(value)}")
        return [item for _, item in each(enumerate(value), cls.__args__[0], cls)]

    conv.register_structure_hook(Scalar | None, lambda v, t: None if v is None else scalar(v, t))
    conv.register_structure_hook(str | StepSpec, step)
    conv.register_structure_hook(ParamSpec | Scalar, param)
    conv.register_structure_hook_func(lambda t: getattr(t, "__origin__", None) is dict, table)
    conv.register_structure_hook_func(lambda t: getattr(t, "__origin__", None) is list, array)

    def spec(cls: type[Any]) -> Any:
        keys = {a.name: override(rename=key_of(a)) for a in attrs.fields(cls)}
        return make_dict_structure_fn(cls, conv, **keys)  # type: ignore[arg-type]

    conv.register_structure_hook_factory(attrs.has, spec)
    return conv


def _toml_kind(value: Any) -> str:
    kinds = {bool: "a boolean", str: "a string", int: "an integer", float: "a number"}
    kinds |= {list: "an array", dict: "a table"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a value")


_converter = _make_converter()
