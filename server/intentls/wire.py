"""The one place where domain objects become JSON-RPC payloads and request arguments become
typed objects: camelCase keys, `None` optionals omitted, server-only fields dropped."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

T = TypeVar("T")


class ArgumentError(ValueError):
    """A request argument is missing or has the wrong type; the message says which."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)

    def unstructure_factory(cls: type[Any]) -> Any:
        overrides = {
            a.name: override(
                rename=_camel(a.name),
                omit=not a.metadata.get("wire", True),
                omit_if_default=a.default is None,
            )
            for a in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

    def structure_factory(cls: type[Any]) -> Any:
        overrides = {a.name: override(rename=_camel(a.name)) for a in attrs.fields(cls)}
        return make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    for kind in (str, bool, int, float):
        conv.register_structure_hook(kind, _strict(kind))

    def structure_list(value: Any, cls: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected an array, got {_kind(value)} {value!r}")
        (item,) = typing.get_args(cls) or (Any,)
        return [conv.structure(v, item) for v in value]

    conv.register_structure_hook_func(_is_list, structure_list)
    conv.register_structure_hook_factory(attrs.has, structure_factory)
    return conv


def to_wire(obj: Any) -> Any:
    """Domain object (or list of them) → plain JSON-ready data."""
    return converter.unstructure(obj)


def from_wire(data: Any, cls: type[T]) -> T:
    """Plain data → typed object; a bad shape becomes an `ArgumentError` a person can act on."""
    if data is None:
        data = {}
    if attrs.has(cls) and not isinstance(data, dict):
        raise ArgumentError(f"expected an object with named fields, got {_kind(data)}")
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        raise ArgumentError(_describe(exc)) from None
    except (TypeError, ValueError) as exc:
        raise ArgumentError(str(exc)) from None


def _is_list(cls: Any) -> bool:
    return cls is list or typing.get_origin(cls) is list


def _strict(kind: type[Any]) -> Any:
    """cattrs would turn 3 into "3" and "yes" into True; a mistyped argument must be an error."""

    def structure(value: Any, _: type[Any]) -> Any:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not ok:
            raise TypeError(f"expected {_kind(kind())}, got {_kind(value)} {value!r}")
        return value

    return structure


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _describe(exc: cattrs.BaseValidationError) -> str:
    """Flatten cattrs' nested errors into 'field: problem' phrases."""
    messages = cattrs.transform_error(exc, path="arguments", format_exception=_format)
    return "; ".join(_camel_path(m) for m in messages) or str(exc)


def _camel_path(message: str) -> str:
    text, sep, path = message.rpartition(" @ ")
    return f"{text}{sep}{_camel(path)}" if sep else message


def _format(exc: BaseException, _: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    return str(exc) or type(exc).__name__


def field_names(cls: type[Any]) -> list[str]:
    return [_camel(a.name) for a in attrs.fields(cls)]


converter = _make_converter()
