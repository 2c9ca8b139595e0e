"""`intents.schema.json`, generated from the attrs classes that parse `intents.toml`.

Editors validate and complete the file with it (VS Code through Even Better TOML's
`tomlValidation`, Neovim through taplo). It is written in JSON Schema draft 4's vocabulary,
the newest taplo reads, and checked in beside the package; a unit test regenerates it, so the
file cannot drift from the classes.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import attrs

from intentls.planning.sources.intents_spec import IntentSpec, key_of

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "intents.schema.json"
"""Where the package keeps it: `intentls/intents.schema.json`."""

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
}


def intents_schema() -> dict[str, Any]:
    """The schema of a whole `intents.toml`: a table `intents` of `IntentSpec`s."""
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "intents.toml",
        "description": "Named intents of a project, run by intentls (docs/intents.md).",
        "type": "object",
        "properties": {
            "intents": {
                "description": "One table per intent: [intents.NAME].",
                "type": "object",
                "additionalProperties": _type_schema(IntentSpec),
            }
        },
    }


def schema_text() -> str:
    """The schema as the checked-in file holds it."""
    return json.dumps(intents_schema(), indent=2, ensure_ascii=False) + "\n"


def _class_schema(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {}
    for field in attrs.fields(cls):
        schema = {"description": field.metadata["description"], **_type_schema(hints[field.name])}
        schema.update(_draft4(field.metadata.get("schema", {})))
        properties[key_of(field)] = schema
    schema = {
        "description": (cls.__doc__ or "").strip(),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    one_of = getattr(cls, "one_of", None)
    if one_of:
        schema["oneOf"] = [{"required": [key]} for key in one_of]
    return schema


def _type_schema(kind: Any) -> dict[str, Any]:
    if kind is Any:
        return {}
    if kind in _SCALARS:
        return dict(_SCALARS[kind])
    if attrs.has(kind):
        return _class_schema(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1])}
    if origin in (types.UnionType, typing.Union):
        choices = [_type_schema(arg) for arg in args if arg is not type(None)]
        return choices[0] if len(choices) == 1 else {"anyOf": choices}
    raise TypeError(f"no JSON Schema for {kind!r}")


def _draft4(constraints: dict[str, Any]) -> dict[str, Any]:
    """Draft 4 spells an exclusive bound as `minimum` plus `exclusiveMinimum: true`."""
    if "exclusiveMinimum" in constraints:
        rest = {k: v for k, v in constraints.items() if k != "exclusiveMinimum"}
        return {**rest, "minimum": constraints["exclusiveMinimum"], "exclusiveMinimum": True}
    return dict(constraints)
