"""`make replay`: the next-intent model replayed on real command sequences.

Each user's sequence is walked in order; before each command the model is asked for its top 3,
then fed the command exactly as a finished run feeds it in the server. A plain successor-count
baseline (the command most often seen after the current one, ties broken by overall frequency)
runs in the same replay. Figures are pooled over the commands of the reported users.

The default weights were tuned on the TUNE users only (`--tune` prints the weights learned
there); the figures that count are those of the other users.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from intentls.suggestions.sequence import SequenceModel, Step
from tests.replay.data import User, greenberg, schonlau

TUNE = {
    "schonlau": {f"user{n:02d}" for n in range(1, 11)},
    "greenberg": {"novice-2", "scientist-20"},
}
GOALS = {"schonlau": (0.65, 0.85), "greenberg": (0.40, 0.65)}


class Baseline:
    def __init__(self) -> None:
        self.successors: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.frequency: Counter[str] = Counter()
        self.previous: str | None = None

    def top(self, k: int) -> list[str]:
        after = self.successors[self.previous] if self.previous is not None else Counter()
        ranked = sorted(after, key=lambda c: (-after[c], -self.frequency[c]))[:k]
        for name, _ in self.frequency.most_common(k + len(ranked)):
            if len(ranked) >= k:
                break
            if name not in ranked:
                ranked.append(name)
        return ranked

    def observe(self, step: Step) -> None:
        if self.previous is not None:
            self.successors[self.previous][step.intent] += 1
        self.frequency[step.intent] += 1
        self.previous = step.intent


class Model:
    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.model = SequenceModel(weights)
        self.file_type = ""

    def top(self, k: int) -> list[str]:
        return [p.intent for p in self.model.predict(self.file_type, k)]

    def observe(self, step: Step) -> None:
        self.model.observe(step)


@attrs.define
class Score:
    n: int = 0
    top1: int = 0
    top3: int = 0
    rr: float = 0.0

    def add(self, predicted: list[str], actual: str) -> None:
        self.n += 1
        if actual in predicted:
            rank = predicted.index(actual)
            self.top1 += rank == 0
            self.top3 += 1
            self.rr += 1 / (rank + 1)

    def row(self, name: str) -> str:
        n = max(self.n, 1)
        return (
            f"  {name:<16} top-1 {self.top1 / n:6.1%}   top-3 {self.top3 / n:6.1%}"
            f"   MRR {self.rr / n:.3f}   ({self.n} commands)"
        )


Predictor = Baseline | Model


def replay(users: Iterable[User], make: Callable[[], Predictor]) -> tuple[Score, list[Predictor]]:
    score = Score()
    done: list[Predictor] = []
    for _, steps in users:
        predictor = make()
        for step in steps:
            if isinstance(predictor, Model):
                predictor.file_type = step.file_type
            score.add(predictor.top(3), step.intent)
            predictor.observe(step)
        done.append(predictor)
    return score, done


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.replay")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/command-sequences"))
    parser.add_argument("--tune", action="store_true", help="learn weights on the tune users")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: no such directory (give --data or REPLAY_DATA=...)")
    sets = {"schonlau": list(schonlau(args.data)), "greenberg": list(greenberg(args.data))}
    if args.tune:
        tune(sets)
        return
    print("next-intent replay: Schonlau et al. 2001 (masquerading user data, first 5,000")
    print("commands per user) and Greenberg 1988 (first words of csh command lines)\n")
    for name, users in sets.items():
        tuned = [u for u in users if u[0] in TUNE[name]]
        reported = [u for u in users if u[0] not in TUNE[name]]
        print(f"{name}: reported on {len(reported)} users ({_names(reported)})")
        print(f"  (weights tuned on {_names(tuned)})")
        model, _ = replay(reported, Model)
        base, _ = replay(reported, Baseline)
        print(model.row("intentls model"))
        print(base.row("successor counts"))
        top1, top3 = GOALS[name]
        print(f"  goal: top-1 ≥ {top1:.0%}, top-3 ≥ {top3:.0%}\n")


def tune(sets: dict[str, list[User]]) -> None:
    """Weights learned from zero on every tune user, averaged (the default weights)."""
    learned: list[dict[str, float]] = []
    for name, users in sets.items():
        tuned = [u for u in users if u[0] in TUNE[name]]
        score, models = replay(tuned, lambda: Model({}))
        print(score.row(f"{name} (tune)"))
        learned += [m.model.weights for m in models if isinstance(m, Model)]
    names = sorted({k for w in learned for k in w})
    print({k: round(sum(w.get(k, 0.0) for w in learned) / len(learned), 2) for k in names})


def _names(users: list[User]) -> str:
    names = [u[0] for u in users]
    return ", ".join(names) if len(names) <= 6 else f"{names[0]} … {names[-1]}"


if __name__ == "__main__":
    main()
