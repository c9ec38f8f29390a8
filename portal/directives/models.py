"""Directives, their tasks, the tasks' timelines and attachments."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.directives.status import Rhythm, TaskFacts
from portal.extensions import db
from portal.timeutil import utcnow
from portal.units.models import Unit


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class DocType(str, enum.Enum):
    CHI_THI = "chi_thi"
    KE_HOACH = "ke_hoach"
    CONG_VAN = "cong_van"
    QUYET_DINH = "quyet_dinh"
    THONG_BAO = "thong_bao"

    @property
    def label(self) -> str:
        return DOC_TYPE_LABELS[self]


DOC_TYPE_LABELS = {
    DocType.CHI_THI: "Chỉ thị",
    DocType.KE_HOACH: "Kế hoạch",
    DocType.CONG_VAN: "Công văn",
    DocType.QUYET_DINH: "Quyết định",
    DocType.THONG_BAO: "Thông báo",
}


class Directive(db.Model):
    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unit that registered it (the province for the steering office): scopes who may edit it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    number_symbol: Mapped[str] = mapped_column(String(60))       # "2405/UBND-KGVX"
    doc_type: Mapped[DocType] = mapped_column(_enum(DocType))
    issuer: Mapped[str] = mapped_column(String(200))
    issuer_folded: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date]
    issued_year: Mapped[int]
    signer: Mapped[str] = mapped_column(String(120), default="")
    excerpt: Mapped[str] = mapped_column(String(1000))
    body: Mapped[str] = mapped_column(Text, default="")
    # fold(number, issuer, signer, excerpt, body): diacritics-insensitive search.
    search_folded: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_stored: Mapped[str | None] = mapped_column(String(80))
    file_size: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()
    tasks: Mapped[list[Task]] = relationship(back_populates="directive", order_by="Task.id",
                                             cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("issuer_folded", "issued_year", "number_symbol", name="uq_directive_issuer_year_number"),
        Index("ix_directive_issued_on", "issued_on"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Directive {self.number_symbol}>"


class TaskState(str, enum.Enum):
    """Where the task stands in its workflow (who acts next). Not the status: that is derived."""

    NEW = "new"                  # waiting for the lead unit to accept
    ACCEPTED = "accepted"        # being carried out
    SUBMITTED = "submitted"      # completion report waiting for the head
    APPROVED = "approved"        # head approved; waiting for the steering office
    DONE = "done"                # steering office accepted the completion

    @property
    def label(self) -> str:
        return {
            "new": "Chờ tiếp nhận", "accepted": "Đang thực hiện", "submitted": "Chờ lãnh đạo duyệt",
            "approved": "Chờ văn phòng nghiệm thu", "done": "Đã nghiệm thu",
        }[self.value]


task_coordinator = Table(
    "task_coordinator",
    db.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True, index=True),
)


class Task(db.Model):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    deadline: Mapped[date | None]
    rhythm: Mapped[Rhythm | None] = mapped_column(_enum(Rhythm))
    starts_on: Mapped[date]
    target: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    accepted_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    progress: Mapped[int] = mapped_column(default=0)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    directive: Mapped[Directive] = relationship(back_populates="tasks")
    lead_unit: Mapped[Unit] = relationship(lazy="joined")
    coordinators: Mapped[list[Unit]] = relationship(secondary=task_coordinator, order_by="Unit.code",
                                                    lazy="selectin")
    assignee: Mapped[User | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(back_populates="task", order_by="TaskEvent.id",
                                                   cascade="all, delete-orphan")

    __table_args__ = (Index("ix_task_state_deadline", "state", "deadline"),)
    __mapper_args__ = {"version_id_col": version}

    def facts(self, report_days=frozenset()) -> TaskFacts:
        return TaskFacts(deadline=self.deadline, accepted=self.state is not TaskState.NEW,
                         completed_on=self.completed_on, rhythm=self.rhythm, starts_on=self.starts_on,
                         report_days=frozenset(report_days))

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.state.value}>"


class EventKind(str, enum.Enum):
    CREATED = "created"
    EDITED = "edited"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    PROGRESS = "progress"
    CONTRIBUTION = "contribution"
    SUBMITTED = "submitted"
    HEAD_APPROVED = "head_approved"
    HEAD_RETURNED = "head_returned"
    OFFICE_ACCEPTED = "office_accepted"
    OFFICE_RETURNED = "office_returned"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS = {
    EventKind.CREATED: "Giao nhiệm vụ",
    EventKind.EDITED: "Sửa nhiệm vụ",
    EventKind.ACCEPTED: "Tiếp nhận nhiệm vụ",
    EventKind.ASSIGNED: "Phân công chuyên viên",
    EventKind.PROGRESS: "Báo cáo tiến độ",
    EventKind.CONTRIBUTION: "Báo cáo phối hợp",
    EventKind.SUBMITTED: "Báo cáo hoàn thành",
    EventKind.HEAD_APPROVED: "Lãnh đạo đơn vị duyệt",
    EventKind.HEAD_RETURNED: "Lãnh đạo đơn vị trả lại",
    EventKind.OFFICE_ACCEPTED: "Văn phòng nghiệm thu",
    EventKind.OFFICE_RETURNED: "Văn phòng trả lại",
    EventKind.REOPENED: "Mở lại nhiệm vụ",
}


class TaskEvent(db.Model):
    """One step of a task's history: the timeline. Reports are events with text and files."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[int | None]
    # The day the report speaks for (local date): reporting periods are checked against it.
    reported_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event", order_by="Attachment.id",
                                                         lazy="selectin")

    __table_args__ = (Index("ix_task_event_task_kind_day", "task_id", "kind", "reported_on"),)


class Attachment(db.Model):
    """A file attached to a report; stored outside static/ under a generated name."""

    __tablename__ = "task_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("task_event.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]

    event: Mapped[TaskEvent] = relationship(back_populates="attachments")
