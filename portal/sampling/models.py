"""Samples taken at a point, the tubes that carry them to a lab, and vaccine doses."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class TubeStatus(str, enum.Enum):
    OPEN = "open"        # a pooled tube still taking people
    CLOSED = "closed"    # on its way to the lab, waiting for a result
    RESULTED = "resulted"


class Result(str, enum.Enum):
    PENDING = "pending"
    NEGATIVE = "negative"
    POSITIVE = "positive"
    POOL_POSITIVE = "pool_positive"  # member of a positive pool: needs an individual retest

    @property
    def label(self) -> str:
        return {"pending": "Chờ kết quả", "negative": "Âm tính", "positive": "Dương tính",
                "pool_positive": "Mẫu gộp dương tính, cần xét nghiệm lại đơn"}[self.value]


class Tube(db.Model):
    __tablename__ = "sample_tube"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("campaign_site.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))       # the commune of the point
    lab_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))   # by the routing plan
    pooled: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=1)
    size: Mapped[int] = mapped_column(default=0)
    status: Mapped[TubeStatus] = mapped_column(_enum(TubeStatus), default=TubeStatus.CLOSED)
    result: Mapped[Result] = mapped_column(_enum(Result), default=Result.PENDING)
    result_at: Mapped[datetime | None]
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    samples: Mapped[list[Sample]] = relationship(back_populates="tube", order_by="Sample.id")

    __table_args__ = (
        Index("ix_tube_lab_status", "lab_unit_id", "status"),
        Index("ix_tube_site_status", "site_id", "status"),
    )


class Sample(db.Model):
    """One person's swab, alone in a tube or in a pool. round_number is found from the date."""

    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    tube_id: Mapped[int] = mapped_column(ForeignKey("sample_tube.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("campaign_site.id"))
    round_number: Mapped[int]
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_on: Mapped[date]  # local date of taken_at
    pooled: Mapped[bool] = mapped_column(default=False)
    result: Mapped[Result] = mapped_column(_enum(Result), default=Result.PENDING)
    result_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tube: Mapped[Tube] = relationship(back_populates="samples")
    person = relationship("Person")

    __table_args__ = (Index("ix_sample_site_taken", "site_id", "taken_at"),)


class Dose(db.Model):
    __tablename__ = "vaccine_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("campaign_site.id"))
    given_on: Mapped[date]
    vaccine: Mapped[str] = mapped_column(String(60))
    lot: Mapped[str] = mapped_column(String(40))
    dose_number: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")

    __table_args__ = (Index("ix_dose_site_created", "site_id", "created_at"),)
