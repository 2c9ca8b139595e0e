"""PROTOCOL.md "Intent text" (v1.1): POSIX words, `then`/`and` as unquoted whole words, `and`
binding tighter than `then`, and `$ …` segments handing the shell exactly what was typed — its
`then` and any `and`/`then` not followed by an intent included."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intentls.planning.grammar import (
    Composition,
    GrammarError,
    Segment,
    Word,
    split_words,
)
from intentls.planning.grammar import parse as parse_with

KNOWN = frozenset({"test", "build", "lint", "typecheck", "a", "b", "c", "d"})


def known(words: Sequence[Word]) -> bool:
    """The test's folder: a few names, and `rename A to B` standing for the built-in phrases."""
    return words[0].text in KNOWN or (len(words) == 4 and words[0].text == "rename")


def parse(text: str) -> Composition:
    return parse_with(text, known)


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
        # v1.1: inside `$ …` an `and`/`then` splits only before an intent of its own.
        ("$ echo cats and dogs", [[("$", "echo cats and dogs")]]),
        ("$ echo a then b", [[("$", "echo a")], [("b",)]]),
        ("$ echo this then that", [[("$", "echo this then that")]]),
        ("$ pytest -x then build", [[("$", "pytest -x")], [("build",)]]),
        ("$ make and $ npm test", [[("$", "make"), ("$", "npm test")]]),
        ("$ ls then rename x to y", [[("$", "ls")], [("rename", "x", "to", "y")]]),
        ("$ ls then rename x", [[("$", "ls then rename x")]]),
        ("$ echo up and down then test", [[("$", "echo up and down")], [("test",)]]),
        ("$ echo cats and dogs and lint", [[("$", "echo cats and dogs"), ("lint",)]]),
        ("$ echo x then", [[("$", "echo x then")]]),
        ("$ and z", [[("$", "and z")]]),
        ("test and $ echo a and z", [[("test",), ("$", "echo a and z")]]),
        # `then` where the shell expects a command is the shell's, whatever follows.
        ("$ if [ -f go.mod ]; then echo yes; fi", [[("$", "if [ -f go.mod ]; then echo yes; fi")]]),
        ("$ if true; then test; fi", [[("$", "if true; then test; fi")]]),
        (
            "$ if true ; then build ; fi then lint",
            [[("$", "if true ; then build ; fi")], [("lint",)]],
        ),
        ("$ true &&\nthen", [[("$", "true &&\nthen")]]),
        ("$ if x\nthen test\nfi", [[("$", "if x\nthen test\nfi")]]),
        ("$ if then test", [[("$", "if then test")]]),
        ("$ then test", [[("$", "then test")]]),
        ("$ echo a\\; then test", [[("$", "echo a\\;")], [("test",)]]),
        ('$ echo "x;" then test', [[("$", 'echo "x;"')], [("test",)]]),
        ("$ (cd x; then) and test", [[("$", "(cd x; then)"), ("test",)]]),
        # Outside `$ …` the words split as before, whatever follows.
        ("greet then dogs", [[("greet",)], [("dogs",)]]),
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
        "a and $",
        "$ and b",
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
    # Every word ends up in exactly one segment, in order, unless it separates two of them.
    kept = [w for stage in composition.stages for seg in stage for w in seg.words]
    separators = sum(len(stage) for stage in composition.stages) - 1
    assert len(kept) + separators == len(split_words(text))
    assert kept == sorted(kept, key=lambda w: w.start)


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
