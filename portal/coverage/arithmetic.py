"""Coverage arithmetic: pure functions, no database. The counters, the dashboard and the CLI
all go through here, so they agree by construction.

A person's state is derived from their own samples and doses (`person_state`); the state
contributes to a few counters (`contribution`); the counters of a commune and zone make
its figures (`figures`), which roll up by plain addition (`rollup`)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

PENDING, NEGATIVE, POSITIVE, POOL_POSITIVE = "pending", "negative", "positive", "pool_positive"
DEFAULT_ROUNDS = 3
ZONES = ("lockdown", "high_risk", "other")


@dataclass(frozen=True)
class Target:
    rounds_required: int
    deadline: date


def default_targets(deadline: date, rounds: int = DEFAULT_ROUNDS) -> dict[str, Target]:
    """The seeds' rule: lockdown and high-risk zones rounds 1..N by the deadline, others round 1."""
    return {"lockdown": Target(rounds, deadline), "high_risk": Target(rounds, deadline), "other": Target(1, deadline)}


@dataclass(frozen=True)
class SampleFact:
    round_number: int
    taken_on: date
    result: str = PENDING
    pooled: bool = False
    taken_at: datetime | None = None


@dataclass(frozen=True)
class PersonState:
    rounds: int = 0
    rounds_on_time: int = 0
    pending: int = 0
    positive: bool = False
    retest: bool = False
    doses: int = 0


# PersonStatus.rounds keeps round r in bit r-1 of a 32-bit signed integer (PostgreSQL INTEGER):
# rounds 1..31 fit, and that is also the most rounds a campaign may have.
MAX_ROUNDS = 31


def is_round_number(number) -> bool:
    """Whether `number` can name a round (and so a bit of the rounds mask)."""
    return isinstance(number, int) and 1 <= number <= MAX_ROUNDS


def round_bit(number: int) -> int:
    if not is_round_number(number):
        raise ValueError(f"round number out of range 1..{MAX_ROUNDS}: {number!r}")
    return 1 << (number - 1)


def required_mask(rounds_required: int) -> int:
    return (1 << rounds_required) - 1


def meets(rounds_on_time: int, target: Target | None) -> bool:
    return target is not None and rounds_on_time & required_mask(target.rounds_required) == required_mask(target.rounds_required)


def person_state(samples: list[SampleFact], target: Target | None, doses: int = 0) -> PersonState:
    """Rounds sampled (all, and by the deadline); pending results; positive (an individual
    positive result); retest (a positive pool not yet followed by an individual result)."""
    rounds = on_time = pending = 0
    positive = False
    last_pool_positive = None
    last_individual_result = None
    for s in sorted(samples, key=lambda s: (s.taken_at or datetime.combine(s.taken_on, datetime.min.time()))):
        when = s.taken_at or datetime.combine(s.taken_on, datetime.min.time())
        bit, bit_on_time = _round_bits(s.round_number, s.taken_on, target)
        rounds |= bit
        on_time |= bit_on_time
        if s.result == PENDING:
            pending += 1
        elif s.result == POSITIVE:
            positive = True
        if s.result == POOL_POSITIVE:
            last_pool_positive = when
        elif not s.pooled and s.result in (NEGATIVE, POSITIVE):
            last_individual_result = when
    retest = last_pool_positive is not None and (last_individual_result is None or last_individual_result < last_pool_positive)
    return PersonState(rounds, on_time, pending, positive, retest, doses)


def _round_bits(round_number: int, taken_on: date, target: Target | None) -> tuple[int, int]:
    """A sample's bit in the rounds mask, and in the on-time mask (0 when after the deadline)."""
    bit = 1 << (round_number - 1)
    return bit, bit if target is not None and taken_on <= target.deadline else 0


def with_new_sample(state: PersonState, round_number: int, taken_on: date, target: Target | None) -> PersonState:
    """The state after one more sample that waits for its result: the same as person_state over
    all the samples, since a pending sample adds its round bits and one pending, and moves
    neither `positive` nor `retest` (those follow results only)."""
    bit, bit_on_time = _round_bits(round_number, taken_on, target)
    return replace(state, rounds=state.rounds | bit, rounds_on_time=state.rounds_on_time | bit_on_time,
                   pending=state.pending + 1)


def contribution(state: PersonState | None, target: Target | None, priority_group: str = "") -> Counter:
    """The counters a person adds to their commune and zone."""
    out: Counter = Counter()
    if state is None:
        return out
    r = 1
    mask = state.rounds
    while mask:
        if mask & 1:
            out[f"round:{r}"] += 1
        mask >>= 1
        r += 1
    if state.rounds:
        out["sampled"] += 1
    if meets(state.rounds_on_time, target):
        out["met"] += 1
    if state.pending:
        out["pending"] += 1
        out["pending_samples"] += state.pending
    if state.positive:
        out["positive"] += 1
    if state.retest:
        out["retest"] += 1
    if state.doses >= 1:
        out[f"dose1:{priority_group}"] += 1
    if state.doses >= 2:
        out[f"dose2:{priority_group}"] += 1
    return out


# People on the rosters are counters too, in the cell of their commune and zone: the testing
# roster's per zone, the vaccination roster's per priority group.
PEOPLE, VACC_PEOPLE = "people", "vacc_people"


def head_key(roster_kind: str, priority_group: str | None) -> str:
    """The counter a person on a roster of this kind (RosterKind value) adds one to."""
    return PEOPLE if roster_kind == "testing" else f"{VACC_PEOPLE}:{priority_group or ''}"


def delta(old: Counter, new: Counter) -> dict[str, int]:
    keys = set(old) | set(new)
    return {k: new[k] - old[k] for k in keys if new[k] != old[k]}


@dataclass
class Figures:
    """The numbers of one commune (or a roll-up) for one campaign."""

    people: int = 0
    rounds: dict[int, int] = field(default_factory=dict)
    sampled: int = 0
    met: int = 0
    pending: int = 0
    positive: int = 0
    retest: int = 0
    vacc_people: int = 0
    dose1: int = 0
    dose2: int = 0
    days: dict[str, int] = field(default_factory=dict)

    @property
    def met_pct(self) -> float:
        return pct(self.met, self.people)

    @property
    def dose1_pct(self) -> float:
        return pct(self.dose1, self.vacc_people)

    @property
    def dose2_pct(self) -> float:
        return pct(self.dose2, self.vacc_people)

    def add(self, other: Figures) -> Figures:
        # Spelled out: a city dashboard adds over a thousand of these per refresh.
        self.people += other.people
        self.sampled += other.sampled
        self.met += other.met
        self.pending += other.pending
        self.positive += other.positive
        self.retest += other.retest
        self.vacc_people += other.vacc_people
        self.dose1 += other.dose1
        self.dose2 += other.dose2
        for r, n in other.rounds.items():
            self.rounds[r] = self.rounds.get(r, 0) + n
        for d, n in other.days.items():
            self.days[d] = self.days.get(d, 0) + n
        return self


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def figures(counters: dict[str, int], people: int = 0, vacc_people: int = 0, group: str | None = None) -> Figures:
    """Figures from one cell's counters. `group` narrows doses to one priority group."""
    f = Figures(people=people, vacc_people=vacc_people)
    for key, value in counters.items():
        name, _, arg = key.partition(":")
        if name == "round":
            f.rounds[int(arg)] = f.rounds.get(int(arg), 0) + value
        elif name == "day":
            f.days[arg] = f.days.get(arg, 0) + value
        elif name in ("dose1", "dose2"):
            if group is None or arg == group:
                setattr(f, name, getattr(f, name) + value)
        elif name in ("sampled", "met", "pending", "positive", "retest"):
            setattr(f, name, getattr(f, name) + value)
    return f


def rollup(parts) -> Figures:
    total = Figures()
    for part in parts:
        total.add(part)
    return total


def expected_pct(today: date, starts_on: date, deadline: date) -> float:
    """Where coverage should be by today if progress were even from the start to the deadline."""
    if today >= deadline:
        return 100.0
    if today <= starts_on:
        return 0.0
    return round(100.0 * (today - starts_on).days / max((deadline - starts_on).days, 1), 1)


def is_behind(f: Figures, today: date, starts_on: date, deadline: date, soon_days: int = 2) -> bool:
    """Behind target: below the even-progress line, or short of 100% with the deadline close or past."""
    if f.people == 0:
        return False
    if f.met_pct < expected_pct(today, starts_on, deadline):
        return True
    return f.met < f.people and (deadline - today).days <= soon_days
