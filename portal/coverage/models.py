"""Incrementally kept coverage: one state row per person, one counter per (commune, zone, key).

A dashboard reads a few hundred counters instead of scanning millions of samples or people;
every change to a person's samples or doses re-derives that person's state (a handful of
rows) and moves the counters by the difference (see coverage/arithmetic.py), and every
person added to, moved on or removed from a roster moves its head counts (coverage/events.py)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class PersonStatus(db.Model):
    __tablename__ = "person_status"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    zone: Mapped[str] = mapped_column(String(20))
    priority_group: Mapped[str] = mapped_column(String(40), default="")
    rounds: Mapped[int] = mapped_column(default=0)          # bit r-1: sampled in round r
    rounds_on_time: Mapped[int] = mapped_column(default=0)  # the same, by the zone's deadline
    pending: Mapped[int] = mapped_column(default=0)         # samples waiting for a result
    positive: Mapped[bool] = mapped_column(default=False)
    retest: Mapped[bool] = mapped_column(default=False)     # pool positive, no individual result yet
    doses: Mapped[int] = mapped_column(default=0)           # prior doses + doses recorded

    __table_args__ = (Index("ix_person_status_unit", "campaign_id", "unit_id", "zone"),)


class CoverageCounter(db.Model):
    __tablename__ = "coverage_counter"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
