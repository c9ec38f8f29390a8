"""A campaign's plan as the sampling point reads it on every recording: its rounds, zone targets
and lab routing, kept in each worker process and read again when the campaign's plan_version
changes.

The version is a column of the campaign row, which the point loads with its site anyway, so a
recording costs no extra statement to know that its copy is current. Every ORM change to a
round, target, lab or route gives its campaign a new random version in the same flush (the
before_flush hook below): another worker sees the new number as soon as the change commits;
a change that rolls back leaves a number that no committed row will ever carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import chain

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.campaigns.models import Campaign, CampaignLab, LabRoute, Round, ZoneTarget, new_plan_version
from portal.coverage import arithmetic
from portal.extensions import db
from portal.units.models import Unit


@dataclass(frozen=True)
class Plan:
    rounds: tuple[tuple[int, date, date], ...]  # (number, starts_on, ends_on)
    targets: dict[str, arithmetic.Target]
    routes: dict[int, int]                      # area (commune or district) id -> lab unit id
    default_lab: int | None

    def round_on(self, day: date) -> int | None:
        """The number of the round whose window holds the day."""
        return next((number for number, starts_on, ends_on in self.rounds if starts_on <= day <= ends_on), None)

    def lab_for(self, commune: Unit) -> int | None:
        """The lab unit id for a commune's samples: its own route, else its district's, else the default lab."""
        for area in (commune.id, commune.parent_id):
            if area in self.routes:
                return self.routes[area]
        return self.default_lab


_PLANS: dict[tuple[str, int], tuple[int, Plan]] = {}


def plan_of(campaign: Campaign) -> Plan:
    """The campaign's plan at its current version: from this process's copy, else read."""
    db.session.flush()  # a round or route added but not yet flushed has no new version yet
    key = (str(db.engine.url), campaign.id)
    cached = _PLANS.get(key)
    if cached is not None and cached[0] == campaign.plan_version:
        return cached[1]
    plan = _read(campaign.id)
    _PLANS[key] = (campaign.plan_version, plan)
    return plan


def _read(campaign_id: int) -> Plan:
    from portal.campaigns.services import targets_of

    rounds = tuple((number, starts_on, ends_on) for number, starts_on, ends_on in db.session.execute(
        select(Round.number, Round.starts_on, Round.ends_on).where(Round.campaign_id == campaign_id).order_by(Round.number)))
    routes = {area: lab for area, lab in db.session.execute(select(LabRoute.area_id, LabRoute.lab_unit_id).where(
        LabRoute.campaign_id == campaign_id))}
    default_lab = db.session.scalar(select(CampaignLab.unit_id).where(
        CampaignLab.campaign_id == campaign_id, CampaignLab.is_default.is_(True)))
    return Plan(rounds, targets_of(campaign_id), routes, default_lab)


PLAN_MODELS = (Round, ZoneTarget, CampaignLab, LabRoute)


@event.listens_for(Session, "before_flush")
def _new_plan_version(session, _flush_context, _instances) -> None:
    """Rounds, targets, labs or routes about to be written: their campaigns get a new version."""
    changed = {obj.campaign_id for obj in chain(session.new, session.dirty, session.deleted)
               if isinstance(obj, PLAN_MODELS) and obj.campaign_id is not None}
    for campaign_id in changed:
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            campaign.plan_version = new_plan_version()
