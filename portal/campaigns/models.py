"""Campaigns: a period of mass testing and/or vaccination run by a province."""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, String
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

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.name}>"
