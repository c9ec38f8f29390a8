"""Directives and tasks: state changes and queries. Plain functions; they flush, never commit."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.auth.models import Role, User
from portal.directives import mail, uploads
from portal.directives.models import (
    Attachment, Directive, DocType, EventKind, Task, TaskEvent, TaskState, task_coordinator,
)
from portal.directives.status import STATUS_ORDER, Rhythm, Status, derive_status, is_due_soon
from portal.extensions import db
from portal.permissions import Ability, visible_units
from portal.text import clean, fold
from portal.timeutil import local_today
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
    audit.record(actor, "register_directive", directive, unit=unit,
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


def check_dates(deadline: date | None, rhythm: Rhythm | None, starts_on: date) -> None:
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
    check_dates(deadline, rhythm, starts_on)
    coordinators = [u for u in dict.fromkeys(coordinators) if u.id != lead_unit.id]
    task = Task(directive=directive, content=content, lead_unit=lead_unit, coordinators=coordinators,
                deadline=deadline, rhythm=rhythm, target=clean(target), starts_on=starts_on, state=TaskState.NEW)
    db.session.add(task)
    db.session.flush()
    record_event(actor, task, EventKind.CREATED, unit=directive.unit, reported_on=starts_on,
           text=f"Chủ trì: {lead_unit.name}" + (f"; phối hợp: {', '.join(u.name for u in coordinators)}"
                                                 if coordinators else ""))
    audit.record(actor, "create_task", task, unit=lead_unit,
                 changes={"directive": directive.number_symbol, "lead": lead_unit.code,
                          "coordinators": [u.code for u in coordinators],
                          "deadline": deadline, "rhythm": rhythm.value if rhythm else None})
    mail.queue(mail.users_with(Ability.LEAD_TASKS, lead_unit), "Nhiệm vụ mới cần tiếp nhận",
               f"{directive.doc_type.label} {directive.number_symbol} giao nhiệm vụ cho {lead_unit.name}.", task)
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


def record_event(actor, task, kind, *, unit=None, text="", percent=None, reported_on=None, at=None) -> TaskEvent:
    """One entry in a task's history. The progress shown on the task is what its latest report says
    (a progress report's percent; a completion report counts 100): this is the only place it is set."""
    if percent is not None:
        task.progress = percent
    event = TaskEvent(task=task, kind=kind, actor_id=getattr(actor, "id", None), unit=unit, text=text,
                      percent=percent, reported_on=reported_on or status_today())
    if at is not None:
        event.created_at = at
    db.session.add(event)
    return event


def tasks_for_report(user, directive=None, unit=None, date_from=None, date_to=None, today=None):
    """Rows for the task execution report (issue 6), overdue first: see lists.tasks_for_report."""
    from portal.directives.lists import tasks_for_report as rows

    return rows(user, directive=directive, unit=unit, date_from=date_from, date_to=date_to, today=today)
