"""Directives and tasks: state changes and queries. Plain functions; they flush, never commit."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.auth.models import Grant, Role, User
from portal.directives import uploads
from portal.directives.models import (
    Attachment, Directive, DocType, EventKind, Task, TaskEvent, TaskState, task_coordinator,
)
from portal.directives.status import STATUS_ORDER, Rhythm, Status, derive_status, is_due_soon
from portal.extensions import db
from portal.permissions import Ability, Capacity, Step, may_take_step, task_capacities, visible_units
from portal.text import clean, fold
from portal.timeutil import local_today, utcnow
from portal.units.models import Unit

# "2405/UBND-KGVX", "35/CT-UBND", "1270/BC-TCTTTg", "199/KH-UBND"
NUMBER_SYMBOL = re.compile(r"^(\d{1,6})/([A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*)$")


class DirectiveError(ValueError):
    """Refused input or step; the message is for the user. `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleError(DirectiveError):
    """Someone else saved the object since the user opened it."""

    def __init__(self):
        super().__init__("Nhiệm vụ vừa được người khác cập nhật trước khi bạn lưu. Thay đổi của bạn chưa được ghi; "
                         "nội dung bạn nhập vẫn còn bên dưới. Hãy xem lại thông tin mới nhất rồi gửi lại.")


class StepNotAllowed(DirectiveError):
    pass


def status_today() -> date:
    """The day statuses are derived for: STATUS_TODAY when configured (to replay a past day), else today."""
    if has_app_context() and current_app.config.get("STATUS_TODAY"):
        value = current_app.config["STATUS_TODAY"]
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    return local_today()


def due_soon_days() -> int:
    return int(current_app.config.get("DUE_SOON_DAYS", 3)) if has_app_context() else 3


# --- Directives -------------------------------------------------------------------------------
def normalise_number_symbol(value: str) -> str:
    """Check the "số/ký hiệu" format; return it cleaned, else DirectiveError."""
    text = clean(value).replace(" ", "")
    if not NUMBER_SYMBOL.match(text):
        raise DirectiveError("Số, ký hiệu phải có dạng số/ký hiệu, ví dụ 2405/UBND-KGVX.", "number_symbol")
    number, symbol = text.split("/", 1)
    return f"{int(number)}/{symbol}"


def _search_text(directive: Directive) -> str:
    return fold(" ".join([directive.number_symbol, directive.doc_type.label, directive.issuer, directive.signer,
                          directive.excerpt, directive.body]))


def register_directive(actor: User, unit: Unit, *, number_symbol: str, doc_type: DocType, issuer: str,
                       issued_on: date, signer: str, excerpt: str, body: str = "", file=None) -> Directive:
    number_symbol = normalise_number_symbol(number_symbol)
    issuer = clean(issuer)
    if not issuer:
        raise DirectiveError("Vui lòng nhập cơ quan ban hành.", "issuer")
    if not clean(excerpt):
        raise DirectiveError("Vui lòng nhập trích yếu.", "excerpt")
    duplicate = db.session.scalars(select(Directive.id).where(
        Directive.issuer_folded == fold(issuer), Directive.issued_year == issued_on.year,
        Directive.number_symbol == number_symbol)).first()
    if duplicate:
        raise DirectiveError(f"{issuer} đã có văn bản số {number_symbol} trong năm {issued_on.year}.",
                             "number_symbol")
    stored = None
    if file is not None and getattr(file, "filename", ""):
        try:
            data, ext, mime = uploads.check_file(file, uploads.DIRECTIVE_KINDS)
        except uploads.UploadError as exc:
            raise DirectiveError(str(exc), "file") from exc
        stored = uploads.store(data, file.filename, ext, mime)
    directive = Directive(
        unit=unit, number_symbol=number_symbol, doc_type=doc_type, issuer=issuer, issuer_folded=fold(issuer),
        issued_on=issued_on, issued_year=issued_on.year, signer=clean(signer), excerpt=clean(excerpt),
        body=(body or "").strip(), created_by_id=getattr(actor, "id", None),
        file_name=stored.file_name if stored else None, file_stored=stored.stored_name if stored else None,
        file_size=stored.size if stored else None,
    )
    directive.search_folded = _search_text(directive)
    db.session.add(directive)
    db.session.flush()
    audit.record(actor, "directive.register", directive, unit=unit,
                 changes={"number_symbol": number_symbol, "issuer": issuer, "file": bool(stored)})
    return directive


def _task_visible_clause(user: User):
    units = visible_units(user, Ability.VIEW_TASKS)
    coordinated = select(task_coordinator.c.task_id).where(task_coordinator.c.unit_id.in_(units))
    return or_(Task.lead_unit_id.in_(units), Task.id.in_(coordinated))


def visible_tasks(user: User):
    """SELECT of the tasks the user may read: lead or coordinating unit within reach."""
    return select(Task).where(_task_visible_clause(user))


def visible_directives(user: User):
    own = Directive.unit_id.in_(visible_units(user, Ability.REGISTER_DIRECTIVES))
    with_task = Directive.id.in_(select(Task.directive_id).where(_task_visible_clause(user)))
    return select(Directive).where(or_(own, with_task))


def visible_task_ids(user: User, directive: Directive) -> set[int]:
    stmt = visible_tasks(user).with_only_columns(Task.id).where(Task.directive_id == directive.id)
    return set(db.session.scalars(stmt))


def get_directive(user: User, directive_id: int) -> Directive | None:
    return db.session.scalars(visible_directives(user).where(Directive.id == directive_id)).first()


def get_task(user: User, task_id: int) -> Task | None:
    return db.session.scalars(visible_tasks(user).where(Task.id == task_id)).first()


def get_attachment(user: User, attachment_id: int) -> Attachment | None:
    stmt = select(Attachment).where(Attachment.id == attachment_id,
                                    Attachment.task_id.in_(visible_tasks(user).with_only_columns(Task.id)))
    return db.session.scalars(stmt).first()


def may_register_in(user: User) -> Unit | None:
    """The unit a directive registered by `user` belongs to (the first grant that allows it)."""
    units = user.units_for(Role.STEERING_OFFICE, Role.SECRETARY)
    return units[0] if units else None


@dataclass
class DirectiveFilters:
    q: str = ""
    doc_type: str = ""
    issuer: str = ""
    year: int | None = None
    overdue_only: bool = False


def search_directives(user: User, filters: DirectiveFilters, today: date | None = None, limit: int = 200):
    """Directives the user may see, newest first, with each one's task statuses."""
    today = today or status_today()
    stmt = visible_directives(user).options(selectinload(Directive.tasks)).order_by(
        Directive.issued_on.desc(), Directive.id.desc())
    for word in fold(filters.q).split():
        stmt = stmt.where(Directive.search_folded.contains(word, autoescape=True))
    if filters.doc_type in {d.value for d in DocType}:
        stmt = stmt.where(Directive.doc_type == DocType(filters.doc_type))
    if filters.issuer:
        stmt = stmt.where(Directive.issuer_folded == fold(filters.issuer))
    if filters.year:
        stmt = stmt.where(Directive.issued_year == filters.year)
    directives = list(db.session.scalars(stmt.limit(limit)))
    visible_ids = set(db.session.scalars(visible_tasks(user).with_only_columns(Task.id).where(
        Task.directive_id.in_([d.id for d in directives]))))
    tasks = [t for d in directives for t in d.tasks if t.id in visible_ids]
    statuses = task_statuses(tasks, today)
    rows = []
    for directive in directives:
        mine = [t for t in directive.tasks if t.id in visible_ids]
        counts = {s: 0 for s in STATUS_ORDER}
        for task in mine:
            counts[statuses[task.id]] += 1
        if filters.overdue_only and not counts[Status.OVERDUE]:
            continue
        done = counts[Status.DONE_ON_TIME] + counts[Status.DONE_LATE]
        rows.append({"directive": directive, "counts": counts, "total": len(mine), "done": done,
                     "progress": round(sum(t.progress for t in mine) / len(mine)) if mine else 0})
    return rows


def issuers_and_years(user: User) -> tuple[list[str], list[int]]:
    base = visible_directives(user).subquery()
    issuers = sorted(set(db.session.scalars(select(base.c.issuer))), key=fold)
    years = sorted(set(db.session.scalars(select(base.c.issued_year))), reverse=True)
    return issuers, years


# --- Tasks: creation and statuses ---------------------------------------------------------------
def assignable_units(user: User) -> list[Unit]:
    """Units the office may give tasks to: every department and locality within its reach."""
    stmt = select(Unit).where(Unit.id.in_(visible_units(user, Ability.ASSIGN_TASKS)), Unit.parent_id.is_not(None))
    units = list(db.session.scalars(stmt))
    kind_order = {"department": 0, "health_facility": 1, "district": 2, "commune": 3}
    return sorted(units, key=lambda u: (kind_order.get(u.kind.value, 9), u.path.count("/"), fold(u.name)))


def _check_dates(deadline: date | None, rhythm: Rhythm | None, starts_on: date) -> None:
    if deadline is None and rhythm is None:
        raise DirectiveError("Nhiệm vụ cần có hạn hoàn thành hoặc chế độ báo cáo định kỳ.", "deadline")
    if rhythm is not None and deadline is None:
        raise DirectiveError("Nhiệm vụ báo cáo định kỳ cần ngày kết thúc báo cáo.", "deadline")
    if deadline is not None and deadline < starts_on:
        raise DirectiveError("Hạn không được trước ngày giao nhiệm vụ.", "deadline")


def add_task(actor: User, directive: Directive, *, content: str, lead_unit: Unit,
             coordinators: list[Unit] = (), deadline: date | None = None, rhythm: Rhythm | None = None,
             target: str = "", starts_on: date | None = None) -> Task:
    content = (content or "").strip()
    if not content:
        raise DirectiveError("Vui lòng nhập nội dung nhiệm vụ.", "content")
    starts_on = starts_on or max(directive.issued_on, status_today())
    _check_dates(deadline, rhythm, starts_on)
    coordinators = [u for u in dict.fromkeys(coordinators) if u.id != lead_unit.id]
    task = Task(directive=directive, content=content, lead_unit=lead_unit, coordinators=coordinators,
                deadline=deadline, rhythm=rhythm, target=clean(target), starts_on=starts_on, state=TaskState.NEW)
    db.session.add(task)
    db.session.flush()
    _event(actor, task, EventKind.CREATED, unit=directive.unit, reported_on=starts_on,
           text=f"Chủ trì: {lead_unit.name}" + (f"; phối hợp: {', '.join(u.name for u in coordinators)}"
                                                 if coordinators else ""))
    audit.record(actor, "task.create", task, unit=lead_unit,
                 changes={"directive": directive.number_symbol, "lead": lead_unit.code,
                          "coordinators": [u.code for u in coordinators],
                          "deadline": deadline, "rhythm": rhythm.value if rhythm else None})
    return task


def report_days(task_ids) -> dict[int, set[date]]:
    """For each task, the days covered by its progress and completion reports."""
    days: dict[int, set[date]] = defaultdict(set)
    ids = list(task_ids)
    if not ids:
        return days
    stmt = select(TaskEvent.task_id, TaskEvent.reported_on).where(
        TaskEvent.task_id.in_(ids), TaskEvent.kind.in_([EventKind.PROGRESS, EventKind.SUBMITTED]))
    for task_id, day in db.session.execute(stmt):
        days[task_id].add(day)
    return days


def task_statuses(tasks, today: date | None = None) -> dict[int, Status]:
    today = today or status_today()
    days = report_days(t.id for t in tasks if t.rhythm is not None)
    return {t.id: derive_status(t.facts(days.get(t.id, ())), today) for t in tasks}


def task_status(task: Task, today: date | None = None) -> Status:
    return task_statuses([task], today)[task.id]


def task_due_soon(task: Task, today: date | None = None) -> bool:
    today = today or status_today()
    days = report_days([task.id]) if task.rhythm else {}
    return is_due_soon(task.facts(days.get(task.id, ())), today, due_soon_days())


# --- Workflow ----------------------------------------------------------------------------------
def _event(actor, task, kind, *, unit=None, text="", percent=None, reported_on=None, at=None) -> TaskEvent:
    event = TaskEvent(task=task, kind=kind, actor_id=getattr(actor, "id", None), unit=unit, text=text,
                      percent=percent, reported_on=reported_on or status_today())
    if at is not None:
        event.created_at = at
    db.session.add(event)
    return event


def _acting_unit(user: User, task: Task, capacity: Capacity) -> Unit | None:
    """The unit on whose behalf the user acts (for the timeline)."""
    if capacity is Capacity.COORDINATOR:
        for unit in task.coordinators:
            if any(unit.is_within(g.unit) for g in user.grants):
                return unit
    if capacity is Capacity.OFFICE:
        return task.directive.unit
    return task.lead_unit


def check_step(actor: User, task: Task, step: Step, version: int | None) -> frozenset[Capacity]:
    capacities = task_capacities(actor, task)
    if not may_take_step(task.state.value, capacities, step, has_assignee=task.assignee_id is not None):
        raise StepNotAllowed("Bạn không thể thực hiện thao tác này ở bước hiện tại của nhiệm vụ.")
    if version is not None and int(version) != task.version:
        raise StaleError()
    return capacities


def _touch(task: Task) -> None:
    """Any step changes the row, so the version moves and concurrent saves are caught."""
    task.updated_at = utcnow()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # someone committed between our read and our write; the request rolls back
        raise StaleError() from exc


def _store_files(actor, task: Task, event: TaskEvent, files) -> None:
    checked = []
    for storage in files or ():
        if storage is None or not getattr(storage, "filename", ""):
            continue
        try:
            checked.append((storage.filename, *uploads.check_file(storage, uploads.REPORT_KINDS)))
        except uploads.UploadError as exc:
            raise DirectiveError(str(exc), "files") from exc
    for name, data, ext, mime in checked:
        stored = uploads.store(data, name, ext, mime)
        db.session.add(Attachment(task_id=task.id, event=event, file_name=stored.file_name,
                                  stored_name=stored.stored_name, content_type=stored.content_type,
                                  size=stored.size))


def _percent(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DirectiveError("Tỷ lệ hoàn thành là số nguyên từ 0 đến 100.", "percent") from None
    if not 0 <= number <= 100:
        raise DirectiveError("Tỷ lệ hoàn thành là số nguyên từ 0 đến 100.", "percent")
    return number


def accept_task(actor: User, task: Task, version: int | None) -> Task:
    check_step(actor, task, Step.ACCEPT, version)
    task.state, task.accepted_on, task.return_reason = TaskState.ACCEPTED, status_today(), None
    _touch(task)
    _event(actor, task, EventKind.ACCEPTED, unit=task.lead_unit)
    _flush()
    audit.record(actor, "task.accept", task, unit=task.lead_unit)
    return task


def staff_of(task: Task) -> list[User]:
    """Staff who may be handed the task: department staff with a grant on the lead unit (or above it)."""
    ancestors = [u.id for u in task.lead_unit.ancestors()] + [task.lead_unit_id]
    stmt = select(User).join(Grant).where(Grant.role == Role.DEPARTMENT_STAFF, Grant.unit_id.in_(ancestors),
                                          User.active.is_(True)).order_by(User.full_name)
    return list(db.session.scalars(stmt).unique())


def assign_task(actor: User, task: Task, assignee: User, version: int | None) -> Task:
    check_step(actor, task, Step.ASSIGN, version)
    if assignee not in staff_of(task):
        raise DirectiveError("Chỉ giao cho chuyên viên của đơn vị chủ trì.", "assignee")
    old = task.assignee.username if task.assignee else None
    task.assignee = assignee
    _touch(task)
    _event(actor, task, EventKind.ASSIGNED, unit=task.lead_unit, text=f"Giao cho {assignee.full_name}")
    _flush()
    audit.record(actor, "task.assign", task, unit=task.lead_unit, changes={"assignee": (old, assignee.username)})
    return task


def report_progress(actor: User, task: Task, *, text: str, percent, files=(), version: int | None,
                    reported_on: date | None = None) -> TaskEvent:
    check_step(actor, task, Step.REPORT_PROGRESS, version)
    text, percent = (text or "").strip(), _percent(percent)
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo.", "text")
    event = _event(actor, task, EventKind.PROGRESS, unit=task.lead_unit, text=text, percent=percent,
                   reported_on=reported_on)
    if percent is not None:
        task.progress = percent
    _touch(task)
    _flush()
    _store_files(actor, task, event, files)
    _flush()
    audit.record(actor, "task.report_progress", task, unit=task.lead_unit, changes={"percent": percent})
    return event


def submit_completion(actor: User, task: Task, *, text: str, files=(), version: int | None,
                      reported_on: date | None = None) -> TaskEvent:
    """Staff's completion report goes to the head; a head's own report goes straight to the office."""
    capacities = check_step(actor, task, Step.SUBMIT_COMPLETION, version)
    text = (text or "").strip()
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo hoàn thành.", "text")
    event = _event(actor, task, EventKind.SUBMITTED, unit=task.lead_unit, text=text, percent=100,
                   reported_on=reported_on)
    task.state = TaskState.APPROVED if Capacity.LEAD_HEAD in capacities else TaskState.SUBMITTED
    task.return_reason = None
    _touch(task)
    _flush()
    _store_files(actor, task, event, files)
    _flush()
    audit.record(actor, "task.submit_completion", task, unit=task.lead_unit, changes={"state": task.state.value})
    return event


def _reason(reason: str) -> str:
    reason = clean(reason)
    if not reason:
        raise DirectiveError("Vui lòng nêu lý do trả lại.", "reason")
    return reason


def approve_completion(actor: User, task: Task, version: int | None, note: str = "") -> Task:
    check_step(actor, task, Step.HEAD_APPROVE, version)
    task.state = TaskState.APPROVED
    _touch(task)
    _event(actor, task, EventKind.HEAD_APPROVED, unit=task.lead_unit, text=clean(note))
    _flush()
    audit.record(actor, "task.head_approve", task, unit=task.lead_unit)
    return task


def return_completion(actor: User, task: Task, reason: str, version: int | None) -> Task:
    """The head or the office sends the completion report back to the lead unit."""
    step = Step.HEAD_RETURN if task.state is TaskState.SUBMITTED else Step.OFFICE_RETURN
    check_step(actor, task, step, version)
    reason = _reason(reason)
    task.state, task.return_reason = TaskState.ACCEPTED, reason
    _touch(task)
    kind = EventKind.HEAD_RETURNED if step is Step.HEAD_RETURN else EventKind.OFFICE_RETURNED
    unit = task.lead_unit if step is Step.HEAD_RETURN else task.directive.unit
    _event(actor, task, kind, unit=unit, text=reason)
    _flush()
    audit.record(actor, f"task.{step.value}", task, unit=task.lead_unit, changes={"reason": reason})
    return task


def office_accept(actor: User, task: Task, version: int | None, note: str = "") -> Task:
    """The office accepts: the task is done on the day its completion report was written."""
    check_step(actor, task, Step.OFFICE_ACCEPT, version)
    last = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id,
                                                      TaskEvent.kind == EventKind.SUBMITTED)
                              .order_by(TaskEvent.id.desc())).first()
    task.state = TaskState.DONE
    task.completed_on = last.reported_on if last else status_today()
    task.progress = 100
    _touch(task)
    _event(actor, task, EventKind.OFFICE_ACCEPTED, unit=task.directive.unit, text=clean(note))
    _flush()
    audit.record(actor, "task.office_accept", task, unit=task.lead_unit, changes={"completed_on": task.completed_on})
    return task


def reopen_task(actor: User, task: Task, reason: str, version: int | None) -> Task:
    check_step(actor, task, Step.REOPEN, version)
    reason = _reason(reason)
    old = task.completed_on
    task.state, task.completed_on, task.return_reason = TaskState.ACCEPTED, None, reason
    _touch(task)
    _event(actor, task, EventKind.REOPENED, unit=task.directive.unit, text=reason)
    _flush()
    audit.record(actor, "task.reopen", task, unit=task.lead_unit, changes={"completed_on": (old, None),
                                                                        "reason": reason})
    return task


def add_contribution(actor: User, task: Task, *, text: str, files=()) -> TaskEvent:
    """A coordinating unit's report. It does not change the task row, so it needs no version."""
    check_step(actor, task, Step.CONTRIBUTE, None)
    text = (text or "").strip()
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo.", "text")
    event = _event(actor, task, EventKind.CONTRIBUTION, unit=_acting_unit(actor, task, Capacity.COORDINATOR),
                   text=text)
    db.session.flush()
    _store_files(actor, task, event, files)
    db.session.flush()
    audit.record(actor, "task.contribute", task, unit=event.unit)
    return event


def edit_task(actor: User, task: Task, *, content: str, deadline: date | None, target: str,
              version: int | None) -> Task:
    check_step(actor, task, Step.EDIT, version)
    content = (content or "").strip()
    if not content:
        raise DirectiveError("Vui lòng nhập nội dung nhiệm vụ.", "content")
    _check_dates(deadline, task.rhythm, task.starts_on)
    changes = {}
    for name, value in (("content", content), ("deadline", deadline), ("target", clean(target))):
        if getattr(task, name) != value:
            changes[name] = (getattr(task, name), value)
            setattr(task, name, value)
    _touch(task)
    _event(actor, task, EventKind.EDITED, unit=task.directive.unit,
           text="Sửa " + ", ".join({"content": "nội dung", "deadline": "hạn", "target": "chỉ tiêu"}[k]
                                   for k in changes) if changes else "Không thay đổi")
    _flush()
    audit.record(actor, "task.edit", task, unit=task.lead_unit, changes=changes)
    return task



def tasks_for_report(user, directive=None, unit=None, date_from=None, date_to=None, today=None):
    """Rows for the task execution report (issue 6), overdue first: see lists.tasks_for_report."""
    from portal.directives.lists import tasks_for_report as rows

    return rows(user, directive=directive, unit=unit, date_from=date_from, date_to=date_to, today=today)
