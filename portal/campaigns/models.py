"""Campaigns: a period of mass testing and/or vaccination run by a province."""
from __future__ import annotations

import enum
import secrets
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.units.models import Unit


class CampaignKind(str, enum.Enum):
    TESTING = "testing"
    VACCINATION = "vaccination"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"testing": "Xét nghiệm", "vaccination": "Tiêm chủng", "both": "Xét nghiệm và tiêm chủng"}[self.value]


def new_plan_version() -> int:
    return secrets.randbits(62) + 1


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[CampaignKind] = mapped_column(
        db.Enum(CampaignKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    # The province (or city) that runs the campaign; its communes take part.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Changes with the rounds, zone targets, labs and routing plan (portal/campaigns/plan.py): a
    # random number, so that a rolled-back change or a reused id never matches a cached plan.
    plan_version: Mapped[int] = mapped_column(BigInteger, default=new_plan_version, server_default="0")

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.name}>"


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Round(db.Model):
    """A round (đợt) of sampling with its date window; the round of a sample is found by its date."""

    __tablename__ = "campaign_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    number: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    __table_args__ = (UniqueConstraint("campaign_id", "number", name="uq_round_campaign_number"),)


class ZoneTarget(db.Model):
    """Rounds 1..N that every resident of a zone must have by a deadline (seeds: lockdown and
    high-risk 3 rounds, other zones 1)."""

    __tablename__ = "zone_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    zone: Mapped[str] = mapped_column(String(20))
    rounds_required: Mapped[int] = mapped_column(default=1)
    deadline: Mapped[date]

    __table_args__ = (UniqueConstraint("campaign_id", "zone", name="uq_target_campaign_zone"),)


class SiteKind(str, enum.Enum):
    SAMPLING_POINT = "sampling_point"
    VACCINATION_SITE = "vaccination_site"
    MOBILE_STATION = "mobile_station"

    @property
    def label(self) -> str:
        return {"sampling_point": "Điểm lấy mẫu", "vaccination_site": "Điểm tiêm",
                "mobile_station": "Trạm y tế lưu động"}[self.value]

    @property
    def samples(self) -> bool:
        return self is not SiteKind.VACCINATION_SITE

    @property
    def vaccinates(self) -> bool:
        return self is not SiteKind.SAMPLING_POINT


class Site(db.Model):
    """A sampling point, vaccination site or mobile medical station, in one commune."""

    __tablename__ = "campaign_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the commune
    kind: Mapped[SiteKind] = mapped_column(_enum(SiteKind))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()


class CampaignLab(db.Model):
    """A lab (a health facility unit) receiving the campaign's samples; one may be the default."""

    __tablename__ = "campaign_lab"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    is_default: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_lab_campaign_unit"),)


class LabRoute(db.Model):
    """Routing plan (phân luồng): samples of a commune or a district go to a lab."""

    __tablename__ = "lab_route"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lab_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    area: Mapped[Unit] = relationship(foreign_keys=[area_id])
    lab_unit: Mapped[Unit] = relationship(foreign_keys=[lab_unit_id])

    __table_args__ = (UniqueConstraint("campaign_id", "area_id", name="uq_route_campaign_area"),)
