"""Task status, derived from facts and a day; never stored, never typed.

The four classes are those of the Government Office's task reports (e.g. Báo cáo
1270/BC-TCTTTg); "not yet accepted" is shown too while the task is still within its deadline.
Pure functions: no database, no clock (the caller passes `today`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.timeutil import format_date


class Rhythm(str, enum.Enum):
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return "Báo cáo hằng ngày" if self is Rhythm.DAILY else "Báo cáo hằng tuần"


class Status(str, enum.Enum):
    NOT_ACCEPTED = "not_accepted"
    IN_PROGRESS = "in_progress"      # chưa hoàn thành, trong hạn
    OVERDUE = "overdue"              # chưa hoàn thành, quá hạn
    DONE_ON_TIME = "done_on_time"    # hoàn thành đúng hạn
    DONE_LATE = "done_late"          # hoàn thành quá hạn

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_done(self) -> bool:
        return self in (Status.DONE_ON_TIME, Status.DONE_LATE)


STATUS_LABELS = {
    Status.NOT_ACCEPTED: "Chưa tiếp nhận",
    Status.IN_PROGRESS: "Chưa hoàn thành, trong hạn",
    Status.OVERDUE: "Chưa hoàn thành, quá hạn",
    Status.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Status.DONE_LATE: "Hoàn thành quá hạn",
}
# Laggards first: the order of lists and of the report of issue 6.
STATUS_ORDER = [Status.OVERDUE, Status.NOT_ACCEPTED, Status.IN_PROGRESS, Status.DONE_LATE, Status.DONE_ON_TIME]


@dataclass(frozen=True)
class TaskFacts:
    """What the status depends on.

    deadline: the last day the task may be done (for a rhythm task: the day reporting ends).
    completed_on: the day the accepted completion report was written; None while not done
    (a reopened task has it cleared again).
    report_days: the days covered by progress reports (for rhythm tasks).
    starts_on: the first day a rhythm task must be reported on.
    """

    deadline: date | None
    accepted: bool = True
    completed_on: date | None = None
    rhythm: Rhythm | None = None
    starts_on: date | None = None
    report_days: frozenset[date] = field(default_factory=frozenset)


def _periods(facts: TaskFacts, today: date) -> list[tuple[date, date]]:
    """The reporting periods (first day, last day) that ended before today.

    Daily: each day from starts_on. Weekly: Monday-to-Sunday weeks, the first one cut at
    starts_on and the last one at the deadline."""
    if facts.rhythm is None or facts.starts_on is None:
        return []
    step = timedelta(days=1 if facts.rhythm is Rhythm.DAILY else 7)
    start = facts.starts_on if facts.rhythm is Rhythm.DAILY else facts.starts_on - timedelta(days=facts.starts_on.weekday())
    periods = []
    while facts.deadline is None or start <= facts.deadline:
        end = start + step - timedelta(days=1)
        if facts.deadline is not None:
            end = min(end, facts.deadline)
        if end >= today:
            break
        periods.append((max(start, facts.starts_on), end))
        start += step
    return periods


def missing_periods(facts: TaskFacts, today: date) -> list[tuple[date, date]]:
    """Past reporting periods of a rhythm task that have no report."""
    return [(a, b) for a, b in _periods(facts, today) if not any(a <= d <= b for d in facts.report_days)]


def derive_status(facts: TaskFacts, today: date) -> Status:
    """The task's class on `today`.

    Done: on time when completed on or before the deadline (or without a deadline).
    Not done: overdue once the deadline has passed (the deadline day itself is still in time)
    or when a rhythm task misses a past period's report; overdue wins over "not accepted",
    because a task nobody took on past its deadline is the first thing the office must see.
    """
    if facts.completed_on is not None:
        if facts.deadline is None or facts.completed_on <= facts.deadline:
            return Status.DONE_ON_TIME
        return Status.DONE_LATE
    if facts.deadline is not None and today > facts.deadline:
        return Status.OVERDUE
    if missing_periods(facts, today):
        return Status.OVERDUE
    if not facts.accepted:
        return Status.NOT_ACCEPTED
    return Status.IN_PROGRESS


def overdue_note(facts: TaskFacts, today: date) -> str:
    """Why a task is overdue when its final deadline is still ahead: a missed periodic report.

    Empty when the task is not overdue or is simply past its deadline (the status says that)."""
    if derive_status(facts, today) is not Status.OVERDUE:
        return ""
    if facts.deadline is not None and today > facts.deadline:
        return ""
    latest = max(facts.report_days, default=None)
    since = f"báo cáo gần nhất {format_date(latest)}" if latest else "chưa có báo cáo nào"
    return f"Quá hạn báo cáo định kỳ ({since})"


def is_due_soon(facts: TaskFacts, today: date, days: int) -> bool:
    """Not done, not overdue, and the deadline falls within the next `days` days (today included)."""
    if facts.completed_on is not None or facts.deadline is None:
        return False
    if derive_status(facts, today) is Status.OVERDUE:
        return False
    return facts.deadline - today <= timedelta(days=days)
