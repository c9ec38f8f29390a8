"""Campaign set-up: rounds, zone targets, sites, labs and the routing plan. Flush only."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import audit
from portal.campaigns.models import Campaign, CampaignKind, CampaignLab, LabRoute, Round, Site, SiteKind, ZoneTarget
from portal.campaigns.plan import plan_of
from portal.coverage import arithmetic
from portal.extensions import db
from portal.text import clean
from portal.units.models import Unit, UnitKind


class CampaignError(ValueError):
    """A set-up request that breaks a rule; the message is for the user (Vietnamese)."""


def by_name(name: str) -> Campaign | None:
    return db.session.scalars(select(Campaign).where(Campaign.name == clean(name))).first()


def create_campaign(actor, name: str, kind: CampaignKind, unit: Unit, starts_on: date, ends_on: date) -> Campaign:
    name = clean(name)
    if not name:
        raise CampaignError("Vui lòng nhập tên chiến dịch.")
    if ends_on < starts_on:
        raise CampaignError("Ngày kết thúc phải sau ngày bắt đầu.")
    if by_name(name) is not None:
        raise CampaignError("Đã có chiến dịch mang tên này.")
    campaign = Campaign(name=name, kind=kind, unit=unit, starts_on=starts_on, ends_on=ends_on)
    db.session.add(campaign)
    db.session.flush()
    for zone, target in arithmetic.default_targets(ends_on).items():
        db.session.add(ZoneTarget(campaign_id=campaign.id, zone=zone, rounds_required=target.rounds_required,
                                  deadline=target.deadline))
    audit.record(actor, "campaign.create", campaign, unit=unit, changes={"name": name})
    db.session.flush()
    return campaign


def rounds_of(campaign: Campaign) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.campaign_id == campaign.id).order_by(Round.number)))


def extend_campaign(actor, campaign: Campaign, ends_on: date) -> Campaign:
    """Move the campaign's end later, explicitly (its rounds must lie within its period). Never earlier."""
    if ends_on <= campaign.ends_on:
        return campaign
    before, campaign.ends_on = campaign.ends_on, ends_on
    db.session.flush()
    audit.record(actor, "campaign.extend", campaign, unit=campaign.unit_id, changes={"ends_on": [before, ends_on]})
    return campaign


def add_round(actor, campaign: Campaign, starts_on: date, ends_on: date) -> Round:
    if ends_on < starts_on:
        raise CampaignError("Ngày kết thúc đợt phải sau ngày bắt đầu.")
    if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
        raise CampaignError(f"Đợt phải nằm trong thời gian của chiến dịch (từ {campaign.starts_on:%d/%m/%Y} "
                            f"đến {campaign.ends_on:%d/%m/%Y}).")
    existing = rounds_of(campaign)
    if len(existing) >= arithmetic.MAX_ROUNDS:
        raise CampaignError(f"Một chiến dịch có tối đa {arithmetic.MAX_ROUNDS} đợt.")
    for other in existing:
        if starts_on <= other.ends_on and other.starts_on <= ends_on:
            raise CampaignError(f"Thời gian trùng với đợt {other.number}.")
    if existing and starts_on < existing[-1].starts_on:
        raise CampaignError("Các đợt phải theo thứ tự thời gian: đợt mới bắt đầu sau đợt trước.")
    round_ = Round(campaign_id=campaign.id, number=len(existing) + 1, starts_on=starts_on, ends_on=ends_on)
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "campaign.add_round", round_, unit=campaign.unit_id,
                 changes={"number": round_.number, "starts_on": starts_on, "ends_on": ends_on})
    return round_


def round_for(campaign_id: int, day: date) -> Round | None:
    """The round whose window holds the day (the rule is the plan's: plan.Plan.round_on)."""
    number = plan_of(db.session.get(Campaign, campaign_id)).round_on(day)
    if number is None:
        return None
    return db.session.scalars(select(Round).where(Round.campaign_id == campaign_id, Round.number == number)).first()


def targets_of(campaign_id: int) -> dict[str, arithmetic.Target]:
    rows = db.session.execute(select(ZoneTarget.zone, ZoneTarget.rounds_required, ZoneTarget.deadline)
                              .where(ZoneTarget.campaign_id == campaign_id))
    return {zone: arithmetic.Target(rounds_required, deadline) for zone, rounds_required, deadline in rows}


def set_target(actor, campaign: Campaign, zone: str, rounds_required: int, deadline: date) -> ZoneTarget:
    if zone not in arithmetic.ZONES:
        raise CampaignError("Khu vực không hợp lệ.")
    if not 1 <= rounds_required <= 20:
        raise CampaignError("Số đợt yêu cầu phải từ 1 đến 20.")
    target = db.session.scalars(select(ZoneTarget).where(
        ZoneTarget.campaign_id == campaign.id, ZoneTarget.zone == zone)).first()
    if target is None:
        target = ZoneTarget(campaign_id=campaign.id, zone=zone)
        db.session.add(target)
    old = (target.rounds_required, target.deadline)
    target.rounds_required, target.deadline = rounds_required, deadline
    db.session.flush()
    audit.record(actor, "campaign.set_target", target, unit=campaign.unit_id,
                 changes={"zone": zone, "rounds_required": (old[0], rounds_required), "deadline": (old[1], deadline)})
    from portal.coverage.services import rebuild_campaign  # the "met" counters depend on targets

    rebuild_campaign(campaign.id)
    return target


def _commune_of_campaign(campaign: Campaign, unit: Unit | None) -> Unit:
    if unit is None or unit.kind is not UnitKind.COMMUNE or not unit.is_within(campaign.unit):
        raise CampaignError("Vui lòng chọn một xã/phường thuộc địa bàn của chiến dịch.")
    return unit


def add_site(actor, campaign: Campaign, kind: SiteKind, name: str, commune: Unit | None, address: str = "") -> Site:
    name = clean(name)
    if not name:
        raise CampaignError("Vui lòng nhập tên điểm.")
    site = Site(campaign_id=campaign.id, kind=kind, name=name, unit=_commune_of_campaign(campaign, commune),
                address=clean(address))
    db.session.add(site)
    db.session.flush()
    audit.record(actor, "campaign.add_site", site, unit=site.unit_id, changes={"name": name, "kind": kind.value})
    return site


def sites_of(campaign: Campaign) -> list[Site]:
    return list(db.session.scalars(select(Site).where(Site.campaign_id == campaign.id).order_by(Site.unit_id, Site.name)))


def labs_of(campaign: Campaign) -> list[CampaignLab]:
    return list(db.session.scalars(select(CampaignLab).where(CampaignLab.campaign_id == campaign.id)))


def add_lab(actor, campaign: Campaign, unit: Unit | None, is_default: bool = False) -> CampaignLab:
    if unit is None or unit.kind is not UnitKind.HEALTH_FACILITY:
        raise CampaignError("Phòng xét nghiệm phải là một cơ sở y tế.")
    lab = db.session.scalars(select(CampaignLab).where(
        CampaignLab.campaign_id == campaign.id, CampaignLab.unit_id == unit.id)).first()
    if lab is None:
        lab = CampaignLab(campaign_id=campaign.id, unit=unit)
        db.session.add(lab)
    if is_default or not labs_of(campaign):
        for other in labs_of(campaign):
            other.is_default = False
        lab.is_default = True
    db.session.flush()
    audit.record(actor, "campaign.add_lab", lab, unit=unit, changes={"lab": unit.code, "default": lab.is_default})
    return lab


def routes_of(campaign: Campaign) -> list[LabRoute]:
    return list(db.session.scalars(select(LabRoute).where(LabRoute.campaign_id == campaign.id)))


def set_route(actor, campaign: Campaign, area: Unit | None, lab_unit: Unit | None) -> LabRoute:
    if area is None or area.kind not in (UnitKind.COMMUNE, UnitKind.DISTRICT) or not area.is_within(campaign.unit):
        raise CampaignError("Khu vực phân luồng phải là một quận/huyện hoặc xã/phường của chiến dịch.")
    if lab_unit is None or lab_unit.id not in {lab.unit_id for lab in labs_of(campaign)}:
        raise CampaignError("Vui lòng thêm phòng xét nghiệm này vào chiến dịch trước.")
    route = db.session.scalars(select(LabRoute).where(
        LabRoute.campaign_id == campaign.id, LabRoute.area_id == area.id)).first()
    if route is None:
        route = LabRoute(campaign_id=campaign.id, area_id=area.id)
        db.session.add(route)
    route.lab_unit_id = lab_unit.id
    db.session.flush()
    audit.record(actor, "campaign.set_route", route, unit=area, changes={"area": area.code, "lab": lab_unit.code})
    return route


def lab_for(campaign_id: int, commune: Unit) -> int | None:
    """The lab unit id for a commune's samples (the rule is the plan's: plan.Plan.lab_for)."""
    return plan_of(db.session.get(Campaign, campaign_id)).lab_for(commune)
