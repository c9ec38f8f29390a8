"""Task lists: my tasks, to approve, overdue, due soon, the office's overview, the bell's items
and the rows of the task execution report (issue 6)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.directives.models import Directive, EventKind, Task, TaskEvent, TaskState, task_coordinator
from portal.directives.services import due_soon_days, report_days, status_today, visible_tasks
from portal.directives.status import STATUS_ORDER, Status, derive_status, is_due_soon, overdue_note
from portal.extensions import db
from portal.permissions import Capacity, task_capacities
from portal.text import fold
from portal.units.models import Unit

LEAD_SIDE = {Capacity.LEAD_HEAD, Capacity.LEAD_STAFF, Capacity.ASSIGNEE}
VIEWS = {
    "mine": "Nhiệm vụ của đơn vị",
    "approve": "Chờ tôi xử lý",
    "overdue": "Quá hạn",
    "due_soon": "Sắp đến hạn",
}


@dataclass
class TaskRow:
    task: Task
    status: Status
    due_soon: bool
    capacities: frozenset = field(default_factory=frozenset)
    overdue_note: str = ""  # a missed periodic report while the final deadline is ahead

    @property
    def sort_key(self):
        deadline = self.task.deadline or date.max
        return (STATUS_ORDER.index(self.status), deadline, self.task.id)


def _load(stmt) -> list[Task]:
    stmt = stmt.options(selectinload(Task.directive), selectinload(Task.assignee))
    return list(db.session.scalars(stmt))


def task_rows(tasks, today: date | None = None, user: User | None = None) -> list[TaskRow]:
    today = today or status_today()
    days = report_days(t.id for t in tasks if t.rhythm is not None)
    soon = due_soon_days()
    rows = []
    for task in tasks:
        facts = task.facts(days.get(task.id, ()))
        rows.append(TaskRow(task, derive_status(facts, today), is_due_soon(facts, today, soon),
                            task_capacities(user, task) if user is not None else frozenset(),
                            overdue_note(facts, today)))
    return sorted(rows, key=lambda r: r.sort_key)


def list_tasks(user: User, view: str = "mine", today: date | None = None, q: str = "") -> list[TaskRow]:
    stmt = visible_tasks(user)
    if view in ("overdue", "due_soon", "approve"):
        stmt = stmt.where(Task.state != TaskState.DONE)
    for word in fold(q).split():
        stmt = stmt.where(Task.directive_id.in_(select(Directive.id).where(
            Directive.search_folded.contains(word, autoescape=True))))
    rows = task_rows(_load(stmt), today, user)
    if view == "overdue":
        rows = [r for r in rows if r.status is Status.OVERDUE]
    elif view == "due_soon":
        rows = [r for r in rows if r.due_soon]
    elif view == "approve":
        waiting = {item.task.id for item in action_items(user, today) if item.kind in ("new", "approve", "returned")}
        rows = [r for r in rows if r.task.id in waiting]
    return rows


@dataclass
class UnitCounts:
    unit: Unit
    counts: dict
    total: int

    @property
    def sort_key(self):
        c = self.counts
        return (-c[Status.OVERDUE], -c[Status.NOT_ACCEPTED], -c[Status.DONE_LATE], -c[Status.IN_PROGRESS],
                fold(self.unit.name))


def counts_by_unit(user: User, today: date | None = None) -> list[UnitCounts]:
    """For the steering office: tasks per status per lead unit, laggards first."""
    rows = task_rows(_load(visible_tasks(user)), today)
    per_unit: dict[int, UnitCounts] = {}
    for row in rows:
        unit = row.task.lead_unit
        entry = per_unit.setdefault(unit.id, UnitCounts(unit, {s: 0 for s in STATUS_ORDER}, 0))
        entry.counts[row.status] += 1
        entry.total += 1
    return sorted(per_unit.values(), key=lambda e: e.sort_key)


# --- The bell -----------------------------------------------------------------------------------
@dataclass
class ActionItem:
    kind: str
    text: str
    task: Task
    urgent: bool = False


def action_items(user: User, today: date | None = None) -> list[ActionItem]:
    """What needs the user's action: new task, report to approve, returned report, due soon, overdue."""
    rows = task_rows(_load(visible_tasks(user).where(Task.state != TaskState.DONE)), today, user)
    items: list[ActionItem] = []
    for row in rows:
        task, caps = row.task, row.capacities
        lead_side = bool(caps & LEAD_SIDE)
        if task.assignee_id is not None and Capacity.LEAD_HEAD not in caps and Capacity.ASSIGNEE not in caps:
            lead_side = False  # another staff member carries it
        if task.state is TaskState.NEW and Capacity.LEAD_HEAD in caps:
            items.append(ActionItem("new", "Nhiệm vụ mới cần tiếp nhận", task))
        if task.state is TaskState.SUBMITTED and Capacity.LEAD_HEAD in caps:
            items.append(ActionItem("approve", "Báo cáo hoàn thành chờ duyệt", task))
        if task.state is TaskState.APPROVED and Capacity.OFFICE in caps:
            items.append(ActionItem("approve", "Báo cáo hoàn thành chờ nghiệm thu", task))
        if task.state is TaskState.ACCEPTED and task.return_reason and lead_side:
            items.append(ActionItem("returned", "Báo cáo bị trả lại", task))
        if row.status is Status.OVERDUE and (lead_side or Capacity.OFFICE in caps):
            items.append(ActionItem("overdue", row.overdue_note or "Nhiệm vụ quá hạn", task, urgent=True))
        elif row.due_soon and lead_side:
            items.append(ActionItem("due_soon", "Nhiệm vụ sắp đến hạn", task))
    return items


# --- Rows for the task execution report (issue 6) ------------------------------------------------
@dataclass
class ReportRow:
    task_id: int
    directive_id: int
    directive_number: str
    directive_excerpt: str
    content: str
    lead_unit: str
    lead_unit_code: str
    coordinating_units: list[str]
    deadline: date | None
    rhythm: str
    target: str
    status: Status
    status_label: str
    due_soon: bool
    accepted: bool
    completed_on: date | None
    progress: int
    latest_report: str


def tasks_for_report(user: User, directive: Directive | None = None, unit: Unit | None = None,
                     date_from: date | None = None, date_to: date | None = None,
                     today: date | None = None) -> list[ReportRow]:
    """Tasks the user may read, overdue first (then not accepted, in progress, done late, done on time).

    directive: only its tasks. unit: tasks led or coordinated by that unit or a unit below it.
    date_from/date_to: tasks active in the period (assigned on or before date_to, and not completed
    before date_from). Statuses are derived for `today` (default: the portal's status day)."""
    stmt = visible_tasks(user)
    if directive is not None:
        stmt = stmt.where(Task.directive_id == directive.id)
    if unit is not None:
        below = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
        coordinated = select(task_coordinator.c.task_id).where(task_coordinator.c.unit_id.in_(below))
        stmt = stmt.where(or_(Task.lead_unit_id.in_(below), Task.id.in_(coordinated)))
    if date_to is not None:
        stmt = stmt.where(Task.starts_on <= date_to)
    if date_from is not None:
        stmt = stmt.where(or_(Task.completed_on.is_(None), Task.completed_on >= date_from))
    rows = task_rows(_load(stmt), today)
    latest = _latest_reports([r.task.id for r in rows])
    return [ReportRow(
        task_id=r.task.id, directive_id=r.task.directive_id, directive_number=r.task.directive.number_symbol,
        directive_excerpt=r.task.directive.excerpt, content=r.task.content, lead_unit=r.task.lead_unit.name,
        lead_unit_code=r.task.lead_unit.code, coordinating_units=[u.name for u in r.task.coordinators],
        deadline=r.task.deadline, rhythm=r.task.rhythm.label if r.task.rhythm else "", target=r.task.target,
        status=r.status, status_label=r.status.label, due_soon=r.due_soon,
        accepted=r.task.state is not TaskState.NEW, completed_on=r.task.completed_on, progress=r.task.progress,
        latest_report=latest.get(r.task.id, ""),
    ) for r in rows]


def _latest_reports(task_ids: list[int]) -> dict[int, str]:
    if not task_ids:
        return {}
    stmt = select(TaskEvent.task_id, TaskEvent.text).where(
        TaskEvent.task_id.in_(task_ids), TaskEvent.kind.in_([EventKind.PROGRESS, EventKind.SUBMITTED])
    ).order_by(TaskEvent.id)
    return {task_id: text for task_id, text in db.session.execute(stmt)}
