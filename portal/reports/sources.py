"""Per kind: how to check the parameters, gather the snapshot, and title the document."""
from __future__ import annotations

from portal.extensions import db
from portal.reports import data
from portal.reports.models import ReportKind
from portal.rosters.models import Roster


class _NotReady:
    def __init__(self, what: str):
        self.what = what

    def __call__(self, *args, **kwargs):
        from portal.reports.services import ReportError

        raise ReportError(f"Chưa có dữ liệu {self.what} để lập báo cáo này.")


def _roster(params: dict) -> Roster:
    from portal.reports.services import ReportError

    roster = db.session.get(Roster, params.get("roster_id") or 0)
    if roster is None or roster.unit_id != params.get("subject_unit_id"):
        raise ReportError("Không tìm thấy danh sách.")
    return roster


def check_roster(params: dict) -> None:
    _roster(params)


def gather_roster(params: dict, progress=None) -> dict:
    return data.gather_roster(_roster(params), params.get("site_name"), progress)


CHECKS = {
    ReportKind.ROSTER: check_roster,
    ReportKind.TESTING: _NotReady("xét nghiệm"),
    ReportKind.VACCINATION: _NotReady("tiêm chủng"),
    ReportKind.TASKS: _NotReady("nhiệm vụ"),
}
GATHERERS = {
    ReportKind.ROSTER: gather_roster,
    ReportKind.TESTING: _NotReady("xét nghiệm"),
    ReportKind.VACCINATION: _NotReady("tiêm chủng"),
    ReportKind.TASKS: _NotReady("nhiệm vụ"),
}
TITLES = {
    ReportKind.ROSTER: data.roster_excerpt,
}


def directive_choices() -> list[tuple[int, str]]:
    """Directives to choose from (filled in once the directives domain is merged)."""
    return []


def site_choices(rosters) -> list[tuple[int, str]]:
    """Sampling points / vaccination sites of the rosters' communes (campaigns domain)."""
    return []


def _campaign(name: str | None):
    from sqlalchemy import select

    from portal.campaigns.models import Campaign
    from portal.reports.services import ReportError

    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if name:
        stmt = select(Campaign).where(Campaign.name == name)
    campaign = db.session.scalars(stmt).first()
    if campaign is None:
        raise ReportError(f"Không có chiến dịch {name!r}." if name else "Chưa có chiến dịch nào.")
    return campaign


def _root_unit():
    from sqlalchemy import select

    from portal.units.models import Unit

    return db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)).first()


def cli_params(kind: ReportKind, subject, campaign_name, directive_number, roster_kind, site_name) -> dict:
    """The parameters of a report asked for on the command line."""
    from sqlalchemy import select

    from portal.reports.services import ReportError
    from portal.rosters.models import RosterKind

    if kind is ReportKind.ROSTER:
        if subject is None:
            raise ReportError("Danh sách in cần --unit (mã xã/phường).")
        campaign = _campaign(campaign_name)
        roster = db.session.scalars(select(Roster).where(
            Roster.unit_id == subject.id, Roster.campaign_id == campaign.id, Roster.kind == RosterKind(roster_kind)
        )).first()
        if roster is None:
            raise ReportError(f"{subject.name} chưa có danh sách {RosterKind(roster_kind).label.lower()} của {campaign.name}.")
        params = {"subject_unit_id": subject.id, "roster_id": roster.id, "site_id": None}
        if site_name:
            params["site_name"] = site_name
        return params
    subject = subject or _root_unit()
    if kind is ReportKind.TASKS:
        return {"subject_unit_id": subject.id, "directive_id": directive_id_for(directive_number)}
    return {"subject_unit_id": subject.id, "campaign_id": _campaign(campaign_name).id}


def directive_id_for(number: str | None):
    if number:
        from portal.reports.services import ReportError

        raise ReportError("Chưa có dữ liệu văn bản chỉ đạo.")
    return None


def default_issuer(kind: ReportKind, subject):
    """Health reports are issued by the health authority serving the subject (Sở Y tế) when there
    is one; other reports by the subject unit itself."""
    from sqlalchemy import select

    from portal.units.models import Unit

    if kind is not ReportKind.TASKS:
        for unit in db.session.scalars(select(Unit).where(Unit.health_authority.is_(True))):
            if subject.is_within(unit.territory()):
                return unit
    return subject
