"""Official reports: the numbering register, issued documents and background render jobs."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow
from portal.units.models import Unit


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ReportKind(str, enum.Enum):
    TESTING = "testing"
    VACCINATION = "vaccination"
    TASKS = "tasks"
    ROSTER = "roster"

    @property
    def label(self) -> str:
        return REPORT_KIND_LABELS[self]


REPORT_KIND_LABELS = {
    ReportKind.TESTING: "Báo cáo tình hình lấy mẫu xét nghiệm",
    ReportKind.VACCINATION: "Báo cáo tình hình tiêm chủng",
    ReportKind.TASKS: "Báo cáo tình hình thực hiện nhiệm vụ",
    ReportKind.ROSTER: "Danh sách in theo điểm lấy mẫu / điểm tiêm",
}


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Đang chờ", "running": "Đang tạo", "done": "Hoàn thành", "failed": "Lỗi"}[self.value]


class ReportRegister(db.Model):
    """The unit's book of report numbers: one counter per unit and year (numbers restart each year)."""

    __tablename__ = "report_register"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_report_register_unit_year"),)


class IssuedReport(db.Model):
    """A numbered report as it was issued: parameters, data snapshot and the exact PDF bytes,
    so that printing it again gives the identical document."""

    __tablename__ = "issued_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the issuing unit (its register)
    subject_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # what it reports on
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    year: Mapped[int]
    number: Mapped[int]
    symbol: Mapped[str] = mapped_column(String(40))  # "BC-SYT"
    excerpt: Mapped[str] = mapped_column(String(500))
    signed_on: Mapped[date]
    params: Mapped[dict] = mapped_column(JSON)
    snapshot: Mapped[dict] = deferred(mapped_column(JSON, nullable=False))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the CLI
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    subject_unit: Mapped[Unit] = relationship(foreign_keys=[subject_unit_id])
    issued_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number", name="uq_issued_report_number"),
        # The register page lists a unit's reports, newest first.
        Index("ix_issued_report_unit_issued", "unit_id", "issued_at"),
    )

    @property
    def number_text(self) -> str:
        return f"{self.number:02d}/{self.symbol}"


class ReportJob(db.Model):
    """A PDF being produced in the background. Kept in the database, so that whichever app
    server answers the progress poll sees the same state."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # issuing unit
    subject_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # None: the CLI
    params: Mapped[dict] = mapped_column(JSON)
    issue: Mapped[bool] = mapped_column(default=False)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), default=JobStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    page_count: Mapped[int | None]
    issued_report_id: Mapped[int | None] = mapped_column(ForeignKey("issued_report.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    subject_unit: Mapped[Unit] = relationship(foreign_keys=[subject_unit_id])
    issued_report: Mapped[IssuedReport | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
