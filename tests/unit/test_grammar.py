"""PROTOCOL.md "Intent text": POSIX words, `then`/`and` as unquoted whole words, `and` binding
tighter than `then`, and `$ …` segments handing the shell exactly what was typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intentls.planning.grammar import Composition, GrammarError, Segment, parse, split_words


def view(segment: Segment) -> tuple[str, ...]:
    """A shell segment as ("$", its raw command); any other as its words."""
    if segment.is_shell:
        return ("$", segment.shell_command)
    return tuple(w.text for w in segment.words)


def shape(composition: Composition) -> list[list[tuple[str, ...]]]:
    return [[view(seg) for seg in stage] for stage in composition.stages]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("test", [[("test",)]]),
        ("  build  ", [[("build",)]]),
        ("greet who", [[("greet", "who")]]),
        ("a then b", [[("a",)], [("b",)]]),
        ("a then b then c", [[("a",)], [("b",)], [("c",)]]),
        ("a and b and c", [[("a",), ("b",), ("c",)]]),
        ("lint and typecheck then test", [[("lint",), ("typecheck",)], [("test",)]]),
        ("a then b and c", [[("a",)], [("b",), ("c",)]]),
        ("a and b then c and d", [[("a",), ("b",)], [("c",), ("d",)]]),
        ("a\tthen\nb", [[("a",)], [("b",)]]),
        ("andy then thenx", [[("andy",)], [("thenx",)]]),
        ("candy and bthen", [[("candy",), ("bthen",)]]),
        ('"and"', [[("and",)]]),
        ("say 'then'", [[("say", "then")]]),
        ('say "a and b"', [[("say", "a and b")]]),
        ("a \\and b", [[("a", "and", "b")]]),
        ("a \\then b", [[("a", "then", "b")]]),
        ("x\\ y", [[("x y",)]]),
        ("ab'c d'e", [[("abc de",)]]),
        ('say "x\\"y"', [[("say", 'x"y')]]),
        ("say 'a\\b'", [[("say", "a\\b")]]),
        ('say "a\\b"', [[("say", "a\\b")]]),
        ("say ''", [[("say", "")]]),
        ('"$" ls', [[("$", "ls")]]),
        ("$ pytest -x", [[("$", "pytest -x")]]),
        ("$ make && make test", [[("$", "make && make test")]]),
        ("$ a || b; c | d", [[("$", "a || b; c | d")]]),
        ('$ git commit -m "fix and test"', [[("$", 'git commit -m "fix and test"')]]),
        ("$ echo 'then' then test", [[("$", "echo 'then'")], [("test",)]]),
        ("lint then $ echo done", [[("lint",)], [("$", "echo done")]]),
        ("$ echo a\\ b", [[("$", "echo a\\ b")]]),
        ("$ echo   spaced   out", [[("$", "echo   spaced   out")]]),
        ('$ grep -r "x y" src | wc -l and test', [[("$", 'grep -r "x y" src | wc -l'), ("test",)]]),
        ("$ echo \"$HOME\" 'it''s'", [[("$", "echo \"$HOME\" 'it''s'")]]),
    ],
)
def test_parse(text: str, expected: list[list[tuple[str, ...]]]) -> None:
    assert shape(parse(text)) == expected


def test_quoted_dollar_is_not_shell() -> None:
    (segment,) = parse('"$" ls').stages[0]
    assert not segment.is_shell


@pytest.mark.parametrize(
    ("text", "raws"),
    [
        ("lint and typecheck then test", [["lint", "typecheck"], ["test"]]),
        ("greet 'a b'  then  $ echo x|wc", [["greet 'a b'"], ["$ echo x|wc"]]),
        ('$ git commit -m "fix and test"', [['$ git commit -m "fix and test"']]),
    ],
)
def test_segment_raw_is_the_typed_text(text: str, raws: list[list[str]]) -> None:
    assert [[seg.raw for seg in stage] for stage in parse(text).stages] == raws


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "then",
        "and",
        "a then",
        "then a",
        "a and",
        "and a",
        "a then then b",
        "a and and b",
        "a and then b",
        "a then and b",
        "$",
        "a then $",
        "$ and b",
        "a and $ then b",
        "'unclosed",
        '"unclosed',
        "a 'b",
        'x "y \\"',
        "$ echo 'oops",
        '$ git commit -m "fix and test',
    ],
)
def test_grammar_errors(text: str) -> None:
    with pytest.raises(GrammarError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a b", [("a", "a", False), ("b", "b", False)]),
        ("'a b' c", [("a b", "'a b'", True), ("c", "c", False)]),
        ('x"y z"w', [("xy zw", 'x"y z"w', True)]),
        ("a\\ b", [("a b", "a\\ b", True)]),
        ("  $  ls ", [("$", "$", False), ("ls", "ls", False)]),
        ("", []),
    ],
)
def test_split_words_offsets(text: str, words: list[tuple[str, str, bool]]) -> None:
    found = split_words(text)
    assert [(w.text, text[w.start : w.end], w.quoted) for w in found] == words


@pytest.mark.parametrize("text", ["'abc", '"abc', 'a "b\\"'])
def test_split_words_unclosed_quote(text: str) -> None:
    with pytest.raises(GrammarError, match="unclosed"):
        split_words(text)


# ---- properties ---------------------------------------------------------------------------

_tricky = st.text(alphabet=" \t\n'\"\\$&|;andthe", max_size=40)


@given(st.one_of(st.text(max_size=60), _tricky))
def test_parse_returns_composition_or_grammar_error(text: str) -> None:
    try:
        composition = parse(text)
    except GrammarError:
        return
    assert isinstance(composition, Composition)
    assert composition.stages
    for stage in composition.stages:
        assert stage
        for segment in stage:
            assert segment.words
            assert segment.raw in text
            if segment.is_shell:
                assert segment.shell_command
                assert segment.shell_command in segment.raw
    # Every word that is not a separator ends up in exactly one segment, in order.
    kept = [w for stage in composition.stages for seg in stage for w in seg.words]
    separators = [w for w in split_words(text) if not w.quoted and w.text in ("and", "then")]
    assert len(kept) + len(separators) == len(split_words(text))


_safe_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.=/", min_size=1).filter(
    lambda w: w not in ("and", "then")
)
_segments = st.lists(_safe_word, min_size=1, max_size=4)
_stages = st.lists(st.lists(_segments, min_size=1, max_size=3), min_size=1, max_size=4)


@given(_stages)
def test_safe_words_round_trip(stages: list[list[list[str]]]) -> None:
    text = " then ".join(" and ".join(" ".join(seg) for seg in stage) for stage in stages)
    assert [[list(view(seg)) for seg in stage] for stage in parse(text).stages] == stages


@given(_stages)
def test_quoted_keywords_never_split(stages: list[list[list[str]]]) -> None:
    text = " 'then' ".join(' "and" '.join(" ".join(seg) for seg in stage) for stage in stages)
    composition = parse(text)
    assert len(composition.stages) == 1
    assert len(composition.stages[0]) == 1
