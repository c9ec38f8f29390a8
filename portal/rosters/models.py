"""Rosters: a commune's list of people for one campaign and one kind (testing / vaccination)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.timeutil import utcnow
from portal.units.models import Unit


# Sort keys are plain [a-z] strings (portal.rosters.sorting); PostgreSQL compares them bytewise too.
SortKey = String(255).with_variant(String(255, collation="C"), "postgresql")


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class RosterKind(str, enum.Enum):
    TESTING = "testing"
    VACCINATION = "vaccination"

    @property
    def label(self) -> str:
        return "Lấy mẫu xét nghiệm" if self is RosterKind.TESTING else "Tiêm chủng"


class RosterStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {"draft": "Đang lập", "submitted": "Đã gửi duyệt", "returned": "Bị trả lại", "approved": "Đã phê duyệt"}[self.value]


class Sex(str, enum.Enum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return "Nam" if self is Sex.MALE else "Nữ"


class Zone(str, enum.Enum):
    LOCKDOWN = "lockdown"
    HIGH_RISK = "high_risk"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"lockdown": "Phong tỏa", "high_risk": "Nguy cơ cao", "other": "Khác"}[self.value]


class Roster(db.Model):
    __tablename__ = "roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the commune
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[RosterKind] = mapped_column(_enum(RosterKind))
    status: Mapped[RosterStatus] = mapped_column(_enum(RosterStatus), default=RosterStatus.DRAFT)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    campaign: Mapped[Campaign] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("unit_id", "campaign_id", "kind", name="uq_roster_unit_campaign_kind"),)


class Person(db.Model):
    """One row of a roster. unit_id and campaign_id repeat the roster's so that scoping,
    search and cross-commune duplicate checks are single indexed lookups."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    full_name: Mapped[str] = mapped_column(String(100))
    name_folded: Mapped[str] = mapped_column(String(100))
    sort_key: Mapped[str] = mapped_column(SortKey)
    birth_date: Mapped[date | None]
    birth_year: Mapped[int]
    sex: Mapped[Sex] = mapped_column(_enum(Sex, 10))
    cccd: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(300), default="")
    zone: Mapped[Zone] = mapped_column(_enum(Zone), default=Zone.OTHER)
    priority_group: Mapped[str | None] = mapped_column(String(40))
    prior_doses: Mapped[int] = mapped_column(default=0)
    # The warnings found on save (CCCD vs sex/birth year, age), shown and filtered on.
    warnings: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    roster: Mapped[Roster] = relationship()
    unit: Mapped[Unit] = relationship()

    # Lists and searches run within one roster: (roster_id, sort_key, id, name_folded) pages in
    # order and tests a "contains" name filter on the index before reading a row (a searched
    # text's page and its bounded count come from one such walk); the zone filter has its own;
    # (roster_id, name_folded) is the covering scan of the sampling points' look-up. Names of
    # three letters or more are found by a trigram index first: GIN pg_trgm on PostgreSQL
    # (migration 0007), the FTS5 table person_name on SQLite (0009, kept in step by triggers).
    # CCCD and phone prefixes are ranges on the campaign indexes, which also serve duplicate checks.
    __table_args__ = (
        Index("ix_person_roster_sort", "roster_id", "sort_key", "id", "name_folded"),
        Index("ix_person_roster_zone", "roster_id", "zone", "sort_key", "id", "name_folded"),
        Index("ix_person_roster_folded", "roster_id", "name_folded",
              postgresql_ops={"name_folded": "varchar_pattern_ops"}),
        Index("ix_person_campaign_cccd", "campaign_id", "cccd"),
        Index("ix_person_campaign_phone", "campaign_id", "phone"),
    )


class BatchStatus(str, enum.Enum):
    PREVIEW = "preview"
    COMMITTED = "committed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"preview": "Chờ xác nhận", "committed": "Đã nhập", "cancelled": "Đã hủy"}[self.value]


class ImportBatch(db.Model):
    """One uploaded file: previewed, then committed or cancelled. The file is kept under a
    generated name outside static/ until then, so the commit reads exactly what was previewed."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus), default=BatchStatus.PREVIEW)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    warned: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roster: Mapped[Roster] = relationship()


class ImportRow(db.Model):
    """A row of an import that was rejected (kept as a doubtful row to resolve) or warned."""

    __tablename__ = "roster_import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"))
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    row_number: Mapped[int]
    rejected: Mapped[bool]
    raw: Mapped[str] = mapped_column(Text)  # JSON of the cells as read
    messages: Mapped[str] = mapped_column(Text)  # JSON list of [field, message, level]
    resolved_at: Mapped[datetime | None]

    batch: Mapped[ImportBatch] = relationship()

    __table_args__ = (
        Index("ix_import_row_batch", "batch_id", "row_number"),
        Index("ix_import_row_roster", "roster_id", "rejected", "resolved_at"),
    )
