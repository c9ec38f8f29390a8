"""The steps of a task's workflow: each checks who may take it (permissions.may_take_step) and
the version the user saw (optimistic locking), changes the task, writes the timeline and the
audit log, and queues the optional e-mail. Plain functions; they flush, never commit."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.auth.models import Grant, Role, User
from portal.directives import mail, uploads
from portal.directives.models import Attachment, EventKind, Task, TaskEvent, TaskState
from portal.directives.services import (
    DirectiveError, StaleError, StepNotAllowed, check_dates, record_event, status_today,
)
from portal.extensions import db
from portal.permissions import Ability, Capacity, Step, may_take_step, task_capacities
from portal.text import clean
from portal.timeutil import utcnow
from portal.units.models import Unit


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


def _check_files(files) -> list[tuple[str, bytes, str, str]]:
    """Check every file before anything is written: one bad file refuses the whole report."""
    checked = []
    for storage in files or ():
        if storage is None or not getattr(storage, "filename", ""):
            continue
        try:
            checked.append((storage.filename, *uploads.check_file(storage, uploads.REPORT_KINDS)))
        except uploads.UploadError as exc:
            raise DirectiveError(str(exc), "files") from exc
    return checked


def _store_files(task: Task, event: TaskEvent, checked) -> None:
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
    record_event(actor, task, EventKind.ACCEPTED, unit=task.lead_unit)
    _flush()
    audit.record(actor, "accept_task", task, unit=task.lead_unit)
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
    record_event(actor, task, EventKind.ASSIGNED, unit=task.lead_unit, text=f"Giao cho {assignee.full_name}")
    _flush()
    audit.record(actor, "assign_task", task, unit=task.lead_unit, changes={"assignee": (old, assignee.username)})
    return task


def report_progress(actor: User, task: Task, *, text: str, percent, files=(), version: int | None,
                    reported_on: date | None = None) -> TaskEvent:
    check_step(actor, task, Step.REPORT_PROGRESS, version)
    text, percent = (text or "").strip(), _percent(percent)
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo.", "text")
    checked = _check_files(files)
    event = record_event(actor, task, EventKind.PROGRESS, unit=task.lead_unit, text=text, percent=percent,
                   reported_on=reported_on)
    _touch(task)
    _flush()
    _store_files(task, event, checked)
    _flush()
    audit.record(actor, "report_task_progress", task, unit=task.lead_unit, changes={"percent": percent})
    return event


def submit_completion(actor: User, task: Task, *, text: str, files=(), version: int | None,
                      reported_on: date | None = None) -> TaskEvent:
    """Staff's completion report goes to the head; a head's own report goes straight to the office."""
    capacities = check_step(actor, task, Step.SUBMIT_COMPLETION, version)
    text = (text or "").strip()
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo hoàn thành.", "summary")
    checked = _check_files(files)
    event = record_event(actor, task, EventKind.SUBMITTED, unit=task.lead_unit, text=text, percent=100,
                   reported_on=reported_on)
    task.state = TaskState.APPROVED if Capacity.LEAD_HEAD in capacities else TaskState.SUBMITTED
    task.return_reason = None
    _touch(task)
    _flush()
    _store_files(task, event, checked)
    _flush()
    audit.record(actor, "submit_task_completion", task, unit=task.lead_unit, changes={"state": task.state.value})
    if task.state is TaskState.SUBMITTED:
        mail.queue(mail.users_with(Ability.LEAD_TASKS, task.lead_unit), "Báo cáo hoàn thành chờ duyệt",
                   f"{actor.full_name} gửi báo cáo hoàn thành.", task)
    else:
        _mail_office(task)
    return event


def _mail_office(task: Task) -> None:
    mail.queue(mail.users_with(Ability.ASSIGN_TASKS, task.lead_unit), "Báo cáo hoàn thành chờ nghiệm thu",
               f"{task.lead_unit.name} báo cáo hoàn thành nhiệm vụ.", task)


def _reason(reason: str) -> str:
    reason = clean(reason)
    if not reason:
        raise DirectiveError("Vui lòng nêu lý do trả lại.", "reason")
    return reason


def approve_completion(actor: User, task: Task, version: int | None, note: str = "") -> Task:
    check_step(actor, task, Step.HEAD_APPROVE, version)
    task.state = TaskState.APPROVED
    _touch(task)
    record_event(actor, task, EventKind.HEAD_APPROVED, unit=task.lead_unit, text=clean(note))
    _flush()
    audit.record(actor, "approve_task_completion", task, unit=task.lead_unit)
    _mail_office(task)
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
    record_event(actor, task, kind, unit=unit, text=reason)
    _flush()
    audit.record(actor, "return_task_completion" if step is Step.HEAD_RETURN else "return_task_to_unit", task, unit=task.lead_unit, changes={"reason": reason})
    recipients = [task.assignee] if task.assignee else []
    mail.queue(recipients + mail.users_with(Ability.LEAD_TASKS, task.lead_unit), "Báo cáo bị trả lại",
               f"Lý do: {reason}", task)
    return task


def office_accept(actor: User, task: Task, version: int | None, note: str = "") -> Task:
    """The office accepts: the task is done on the day its completion report was written."""
    check_step(actor, task, Step.OFFICE_ACCEPT, version)
    last = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id,
                                                      TaskEvent.kind == EventKind.SUBMITTED)
                              .order_by(TaskEvent.id.desc())).first()
    task.state = TaskState.DONE
    task.completed_on = last.reported_on if last else status_today()
    _touch(task)
    record_event(actor, task, EventKind.OFFICE_ACCEPTED, unit=task.directive.unit, text=clean(note))
    _flush()
    audit.record(actor, "accept_task_completion", task, unit=task.lead_unit, changes={"completed_on": task.completed_on})
    return task


def reopen_task(actor: User, task: Task, reason: str, version: int | None) -> Task:
    check_step(actor, task, Step.REOPEN, version)
    reason = _reason(reason)
    old = task.completed_on
    task.state, task.completed_on, task.return_reason = TaskState.ACCEPTED, None, reason
    _touch(task)
    record_event(actor, task, EventKind.REOPENED, unit=task.directive.unit, text=reason)
    _flush()
    audit.record(actor, "reopen_task", task, unit=task.lead_unit, changes={"completed_on": (old, None),
                                                                        "reason": reason})
    return task


def add_contribution(actor: User, task: Task, *, text: str, files=()) -> TaskEvent:
    """A coordinating unit's report. It does not change the task row, so it needs no version."""
    check_step(actor, task, Step.CONTRIBUTE, None)
    text = (text or "").strip()
    if not text:
        raise DirectiveError("Vui lòng nhập nội dung báo cáo.", "contribution")
    checked = _check_files(files)
    event = record_event(actor, task, EventKind.CONTRIBUTION, unit=_acting_unit(actor, task, Capacity.COORDINATOR),
                   text=text)
    db.session.flush()
    _store_files(task, event, checked)
    db.session.flush()
    audit.record(actor, "contribute_to_task", task, unit=event.unit)
    return event


def edit_task(actor: User, task: Task, *, content: str, deadline: date | None, target: str,
              version: int | None) -> Task:
    check_step(actor, task, Step.EDIT, version)
    content = (content or "").strip()
    if not content:
        raise DirectiveError("Vui lòng nhập nội dung nhiệm vụ.", "content")
    check_dates(deadline, task.rhythm, task.starts_on)
    changes = {}
    for name, value in (("content", content), ("deadline", deadline), ("target", clean(target))):
        if getattr(task, name) != value:
            changes[name] = (getattr(task, name), value)
            setattr(task, name, value)
    _touch(task)
    record_event(actor, task, EventKind.EDITED, unit=task.directive.unit,
           text="Sửa " + ", ".join({"content": "nội dung", "deadline": "hạn", "target": "chỉ tiêu"}[k]
                                   for k in changes) if changes else "Không thay đổi")
    _flush()
    audit.record(actor, "edit_task", task, unit=task.lead_unit, changes=changes)
    return task
