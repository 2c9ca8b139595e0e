"""PROTOCOL.md's intent grammar (v1.1): POSIX words; unquoted `then` and `and` separate
intents, `and` binding tighter than `then`.

Inside `$ …` the words are the shell's: a `then` where the shell expects a command is its
reserved word (`$ if [ -f x ]; then make; fi`), and an `and`/`then` separates only when what
follows is itself an intent (`$ …`, a known name, a built-in phrase) — the caller says which
words are, since only it knows the folder's intents. `$ echo cats and dogs` stays one command.

Words keep their offsets in the original text so that a `$ …` segment hands the shell exactly
what the person typed (quotes, `&&`, `|` and all), not a re-joined approximation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs


class GrammarError(ValueError):
    """The text cannot be split into words (an unclosed quote, an empty intent)."""


@attrs.frozen
class Word:
    text: str
    """The word after quote removal."""
    start: int
    end: int
    quoted: bool
    """True if any part of the word was quoted or escaped."""


@attrs.frozen
class Segment:
    """One intent of a composed text: its words and its raw source text."""

    words: list[Word]
    raw: str

    @property
    def is_shell(self) -> bool:
        return bool(self.words) and self.words[0].text == "$" and not self.words[0].quoted

    @property
    def shell_command(self) -> str:
        """For `$ cmd …`: the raw text after the `$` word."""
        return self.raw[self.words[0].end - self.words[0].start :].strip()


@attrs.frozen
class Composition:
    """`stages` run one after another (`then`); the segments of a stage are independent (`and`)."""

    stages: list[list[Segment]]

    def reading(self) -> list[list[str]]:
        """How the text was read: each stage's segments as typed (`Plan.reading`)."""
        return [[seg.raw for seg in stage] for stage in self.stages]


IsIntent = Callable[[Sequence[Word]], bool]
"""Whether words (up to the next unquoted `and`/`then`) read as an intent of their own: a known
name or a built-in phrase. A `$ …` after a separator always does."""


def _no_intent(words: Sequence[Word]) -> bool:
    return False


def split_words(text: str) -> list[Word]:
    """POSIX-shell word splitting that remembers where each word came from."""
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start, buf, quoted = i, [], False
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    raise GrammarError(f"unclosed single quote at column {i + 1}")
                buf.append(text[i + 1 : close])
                i, quoted = close + 1, True
            elif ch == '"':
                i, quoted = _double_quoted(text, i, buf), True
            elif ch == "\\":
                if i + 1 >= n:
                    raise GrammarError("a backslash at the end escapes nothing")
                buf.append(text[i + 1])
                i, quoted = i + 2, True
            else:
                buf.append(ch)
                i += 1
        words.append(Word("".join(buf), start, min(i, n), quoted))
    return words


def _double_quoted(text: str, i: int, buf: list[str]) -> int:
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == '"':
            return j + 1
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in '"\\$`\n':
            buf.append(text[j + 1])
            j += 2
            continue
        buf.append(ch)
        j += 1
    raise GrammarError(f"unclosed double quote at column {i + 1}")


def _is_keyword(word: Word, keyword: str) -> bool:
    return not word.quoted and word.text == keyword


SEPARATORS = ("then", "and")

COMMAND_BEFORE = frozenset({"$", "if", "then", "else", "elif", "do", "while", "until", "!", "{"})
"""Unquoted words after which the shell expects a command (`$` starts the shell's text)."""


def parse(text: str, is_intent: IsIntent = _no_intent) -> Composition:
    """Split intent text into stages of independent segments."""
    words = split_words(text)
    if not words:
        raise GrammarError("the intent is empty")
    separators = _separators(text, words, is_intent)
    stages: list[list[Segment]] = [[]]
    current: list[Word] = []
    for index, word in enumerate(words):
        keyword = separators.get(index)
        if keyword is None:
            current.append(word)
            continue
        if not current or index + 1 == len(words) or (index + 1) in separators:
            raise GrammarError(f"'{keyword}' needs an intent on both sides")
        stages[-1].append(_segment(text, current))
        current = []
        if keyword == "then":
            stages.append([])
    stages[-1].append(_segment(text, current))
    return Composition(stages)


def _separators(text: str, words: list[Word], is_intent: IsIntent) -> dict[int, str]:
    """The indexes of the words that separate intents, and which keyword each is."""
    found: dict[int, str] = {}
    shell_from: int | None = None
    """Where the current segment's `$` is, when it is a shell segment."""
    for index, word in enumerate(words):
        if _is_keyword(word, "$") and (index == 0 or index - 1 in found):
            shell_from = index
        if word.quoted or word.text not in SEPARATORS:
            continue
        if shell_from is not None and not _ends_shell(text, words, index, is_intent):
            continue
        found[index] = word.text
        shell_from = None
    return found


def _ends_shell(text: str, words: list[Word], index: int, is_intent: IsIntent) -> bool:
    """Whether the keyword at `index`, inside shell text, hands over to another intent."""
    if words[index].text == "then" and _command_expected(text, words[index - 1], words[index]):
        return False
    following = list(_until_separator(words[index + 1 :]))
    if not following:
        return False
    return _is_keyword(following[0], "$") or is_intent(following)


def _command_expected(text: str, before: Word, word: Word) -> bool:
    """Whether the shell expects a command at `word`: after `;`, `&`, `|`, `(`, a newline or
    a reserved word that starts a command list."""
    if "\n" in text[before.end : word.start]:
        return True
    if not before.quoted and before.text in COMMAND_BEFORE:
        return True
    raw = text[before.start : before.end]
    return raw[-1] in ";&|(" and not raw.endswith("\\" + raw[-1])


def _until_separator(words: list[Word]) -> list[Word]:
    for end, word in enumerate(words):
        if not word.quoted and word.text in SEPARATORS:
            return words[:end]
    return words


def _segment(text: str, words: list[Word]) -> Segment:
    raw = text[words[0].start : words[-1].end]
    if words[0].text == "$" and not words[0].quoted and len(words) == 1:
        raise GrammarError("'$' needs a shell command after it")
    return Segment(words, raw)
