"""Per kind: check the parameters, gather the snapshot from the domains' own query functions,
and title the document. Coverage comes from portal.coverage (its arithmetic decides who is behind),
task status from portal.directives (derived, never typed), Vietnamese order from portal.text."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from portal.campaigns.models import Campaign, Site, SiteKind
from portal.extensions import db
from portal.reports import data, summaries
from portal.reports.models import ReportKind
from portal.rosters.models import Roster, RosterKind, Zone
from portal.timeutil import format_date, local_today
from portal.units.models import Unit


def _error(message: str):
    from portal.reports.services import ReportError

    return ReportError(message)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _period_text(params: dict, campaign: Campaign | None = None) -> str:
    start, end = _day(params.get("date_from")), _day(params.get("date_to"))
    if start is None and campaign is not None:
        start = campaign.starts_on
    if start and end:
        return f"từ ngày {format_date(start)} đến ngày {format_date(end)}"
    if start:
        return f"từ ngày {format_date(start)} đến nay"
    if end:
        return f"đến ngày {format_date(end)}"
    return ""


def _as_of(params: dict) -> date:
    """The day the figures are judged on: the end of the period, else the signing day."""
    return _day(params.get("date_to")) or _day(params.get("signed_on")) or local_today()


def _subject(params: dict) -> Unit:
    unit = db.session.get(Unit, params.get("subject_unit_id") or 0)
    if unit is None:
        raise _error("Không tìm thấy đơn vị của báo cáo.")
    return unit


def _campaign_by_id(params: dict) -> Campaign:
    campaign = db.session.get(Campaign, params.get("campaign_id") or 0)
    if campaign is None:
        raise _error("Không tìm thấy chiến dịch.")
    return campaign


def _check_administrative(params: dict) -> None:
    if not _subject(params).kind.is_administrative:
        raise _error("Báo cáo này lập cho xã/phường, quận/huyện hoặc tỉnh/thành phố.")


# --- roster printout ----------------------------------------------------------------------------

SITE_ROSTER_KIND = {
    SiteKind.SAMPLING_POINT: RosterKind.TESTING,
    SiteKind.MOBILE_STATION: RosterKind.TESTING,
    SiteKind.VACCINATION_SITE: RosterKind.VACCINATION,
}


def _roster(params: dict) -> Roster:
    roster = db.session.get(Roster, params.get("roster_id") or 0)
    if roster is None or roster.unit_id != params.get("subject_unit_id"):
        raise _error("Không tìm thấy danh sách.")
    return roster


def _site(params: dict, roster: Roster) -> Site | None:
    if not params.get("site_id"):
        return None
    site = db.session.get(Site, params["site_id"])
    if site is None or site.unit_id != roster.unit_id or site.campaign_id != roster.campaign_id:
        raise _error("Điểm lấy mẫu / điểm tiêm không thuộc xã/phường và chiến dịch của danh sách.")
    if SITE_ROSTER_KIND[site.kind] is not roster.kind:
        raise _error(f"{site.kind.label} không dùng danh sách {roster.kind.label.lower()}.")
    return site


def check_roster(params: dict) -> None:
    _site(params, _roster(params))


def gather_roster(params: dict, progress=None) -> dict:
    roster = _roster(params)
    site = _site(params, roster)
    name = site.name if site else params.get("site_name")
    snapshot = data.gather_roster(roster, name, progress)
    snapshot["site_kind"] = site.kind.label if site else ""
    return snapshot


def site_choices(rosters) -> list[tuple[int, str]]:
    """Sites in the communes and campaigns of the rosters the user may print."""
    pairs = {(r.unit_id, r.campaign_id) for r in rosters}
    if not pairs:
        return []
    unit_ids = {u for u, _ in pairs}
    sites = db.session.scalars(select(Site).where(Site.unit_id.in_(unit_ids)).order_by(Site.unit_id, Site.name))
    return [(s.id, f"{s.unit.name} — {s.kind.label}: {s.name}") for s in sites if (s.unit_id, s.campaign_id) in pairs]


# --- testing report -----------------------------------------------------------------------------

def _coverage_cells(subject: Unit, campaign: Campaign):
    from portal.coverage import services as coverage

    communes = coverage.communes_under(subject, select(Unit.id))
    cells, _ = coverage.commune_cells(campaign, [c.id for c in communes])
    return communes, cells


def _deadline(campaign: Campaign, targets: dict) -> date:
    return max((t.deadline for t in targets.values()), default=campaign.ends_on)


def check_coverage(params: dict) -> None:
    _check_administrative(params)
    _campaign_by_id(params)


def testing_period_figures(campaign: Campaign, communes: list[Unit], date_from: date | None,
                           date_to: date | None, targets: dict) -> tuple[dict, int]:
    """The testing figures of a period: {commune id: {zone: Figures}} and the number of samples.

    Only samples taken from `date_from` to `date_to` (inclusive; open ends allowed) count: a
    person's rounds, pending results, positives and whether they met their zone's target are
    derived from those samples alone, by the coverage arithmetic (the dashboard's own rules).
    People are counted once, in the commune and zone of the roster they are on (wherever they
    were sampled), so the communes' figures add up to the totals. The head counts (people on the
    rosters) are the rosters' today."""
    from portal.coverage import arithmetic, services as coverage
    from portal.rosters.models import Person
    from portal.sampling.models import Sample

    ids = [c.id for c in communes]
    people = coverage.people_per_zone(campaign.id, ids)
    stmt = (select(Sample.person_id, Person.unit_id, Person.zone, Sample.round_number, Sample.taken_on,
                   Sample.result, Sample.pooled, Sample.taken_at)
            .join(Person, Person.id == Sample.person_id)
            .where(Sample.campaign_id == campaign.id, Person.unit_id.in_(ids or [0])))
    if date_from:
        stmt = stmt.where(Sample.taken_on >= date_from)
    if date_to:
        stmt = stmt.where(Sample.taken_on <= date_to)
    facts: dict[int, list] = defaultdict(list)
    homes: dict[int, tuple[int, str]] = {}
    samples = 0
    for pid, unit_id, zone, number, taken_on, result, pooled, taken_at in db.session.execute(stmt):
        facts[pid].append(arithmetic.SampleFact(number, taken_on, result.value, pooled, taken_at))
        homes[pid] = (unit_id, zone.value)
        samples += 1
    counters: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for pid, person_facts in facts.items():
        unit_id, zone = homes[pid]
        state = arithmetic.person_state(person_facts, targets.get(zone))
        counters[(unit_id, zone)].update(arithmetic.contribution(state, targets.get(zone)))
    cells = {unit_id: {zone: arithmetic.figures(counters[(unit_id, zone)], people=people[unit_id][zone])
                       for zone in arithmetic.ZONES} for unit_id in ids}
    return cells, samples


def gather_testing(params: dict, progress=None) -> dict:
    from portal.campaigns.services import targets_of
    from portal.coverage import arithmetic, services as coverage

    subject, campaign = _subject(params), _campaign_by_id(params)
    communes = coverage.communes_under(subject, select(Unit.id))
    targets = targets_of(campaign.id)
    cells, samples = testing_period_figures(campaign, communes, _day(params.get("date_from")),
                                            _day(params.get("date_to")), targets)
    if progress:
        progress(25)
    deadline = _deadline(campaign, targets)
    as_of = _as_of(params)
    max_rounds = max([t.rounds_required for t in targets.values()] + [1])

    units = []
    for commune in communes:
        f = arithmetic.rollup(cells[commune.id][z] for z in arithmetic.ZONES)
        units.append({"name": commune.name, "sort": commune.code, "people": f.people, "sampled": f.sampled,
                      "met": f.met, "pending": f.pending, "positive": f.positive,
                      "behind": arithmetic.is_behind(f, as_of, campaign.starts_on, deadline)})
    zones, total = [], arithmetic.Figures()
    for zone in arithmetic.ZONES:
        fz = arithmetic.rollup(cells[c.id][zone] for c in communes)
        total.add(fz)
        target = targets.get(zone)
        zones.append({"zone": zone, "label": Zone(zone).label, "required": target.rounds_required if target else 1,
                      "deadline": format_date(target.deadline) if target else "", "people": fz.people,
                      "sampled": fz.sampled,
                      "rounds": [fz.rounds.get(k, 0) for k in range(1, max_rounds + 1)], "met": fz.met})
    snapshot = {
        "campaign": campaign.name, "subject_name": subject.name, "period_text": _period_text(params, campaign),
        "as_of": format_date(as_of), "max_rounds": max_rounds, "zones": zones, "units": summaries.behind_first(units),
        "totals": {"people": total.people, "sampled": total.sampled,
                   "rounds": [total.rounds.get(k, 0) for k in range(1, max_rounds + 1)],
                   "met": total.met, "pending": total.pending, "positive": total.positive, "samples": samples},
    }
    snapshot["summary"] = summaries.testing_summary(snapshot)
    snapshot["proposals"] = summaries.testing_proposals(snapshot)
    return snapshot


def testing_titles(snapshot: dict) -> tuple[str, str, str]:
    return "BÁO CÁO", "Tình hình lấy mẫu xét nghiệm SARS-CoV-2", f"trên địa bàn {snapshot['subject_name']}"


# --- vaccination report -------------------------------------------------------------------------

def dose_bucket(number: int) -> int:
    """The column of a dose in the doses-by-day table: 1, 2, or 3 for a third dose or later
    (booster doses, "Mũi 3 trở lên"), so the columns of a day add up to its doses."""
    return min(max(number, 1), 3)


def gather_vaccination(params: dict, progress=None) -> dict:
    from portal.coverage import arithmetic, services as coverage
    from portal.sampling.models import Dose

    subject, campaign = _subject(params), _campaign_by_id(params)
    communes, cells = _coverage_cells(subject, campaign)
    if progress:
        progress(25)
    units, groups = [], {}
    total = arithmetic.Figures()
    for commune in communes:
        f = coverage.commune_total(cells[commune.id])
        total.add(f)
        units.append({"name": commune.name, "people": f.vacc_people, "one": f.dose1, "two": f.dose2})
        for group, fg in cells[commune.id]["_groups"].items():
            groups.setdefault(group, arithmetic.Figures()).add(fg)
    ids = [c.id for c in communes] or [0]
    conditions = [Dose.campaign_id == campaign.id, Dose.unit_id.in_(ids)]
    if params.get("date_from"):
        conditions.append(Dose.given_on >= _day(params["date_from"]))
    if params.get("date_to"):
        conditions.append(Dose.given_on <= _day(params["date_to"]))
    by_day = defaultdict(lambda: {1: 0, 2: 0, 3: 0, "all": 0})
    for day, number, count in db.session.execute(
            select(Dose.given_on, Dose.dose_number, func.count()).where(*conditions)
            .group_by(Dose.given_on, Dose.dose_number)):
        by_day[day][dose_bucket(number)] += count
        by_day[day]["all"] += count
    by_site = []
    for site_id, count in db.session.execute(
            select(Dose.site_id, func.count()).where(*conditions).group_by(Dose.site_id)):
        site = db.session.get(Site, site_id)
        by_site.append({"name": site.name, "unit": site.unit.name, "doses": count})
    by_site.sort(key=lambda s: (-s["doses"], s["name"]))
    snapshot = {
        "campaign": campaign.name, "subject_name": subject.name, "period_text": _period_text(params, campaign),
        "units": units,
        "coverage": {"people": total.vacc_people, "one": total.dose1, "two": total.dose2},
        "by_day": [{"date": format_date(day), "dose1": v[1], "dose2": v[2], "dose3": v[3], "doses": v["all"]}
                   for day, v in sorted(by_day.items())],
        "by_site": by_site,
        "by_group": [{"label": group or "Chưa phân nhóm", "people": f.vacc_people, "one": f.dose1, "two": f.dose2}
                     for group, f in sorted(groups.items(), key=lambda item: coverage._natural(item[0]))],
        "total_doses": sum(v["all"] for v in by_day.values()),
    }
    snapshot["summary"] = summaries.vaccination_summary(snapshot)
    return snapshot


def vaccination_titles(snapshot: dict) -> tuple[str, str, str]:
    return "BÁO CÁO", "Tình hình tiêm vắc xin phòng COVID-19", f"trên địa bàn {snapshot['subject_name']}"


# --- task execution report ----------------------------------------------------------------------

def _directive(params: dict):
    from portal.directives.models import Directive

    if not params.get("directive_id"):
        return None
    directive = db.session.get(Directive, params["directive_id"])
    if directive is None:
        raise _error("Không tìm thấy văn bản chỉ đạo.")
    return directive


def _reader(params: dict):
    """Whose view of the tasks the report takes: the requester; the command line sees all."""
    from portal.auth.models import Role, User

    if params.get("_reader_id"):
        user = db.session.get(User, params["_reader_id"])
        if user is not None:
            return user
    root = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)).first()
    return SimpleNamespace(grants=[SimpleNamespace(role=Role.STEERING_OFFICE, unit=root)], id=None,
                           is_authenticated=True, is_active=True)


def check_tasks(params: dict) -> None:
    _subject(params)
    _directive(params)


def gather_tasks(params: dict, progress=None) -> dict:
    from portal.directives.lists import tasks_for_report
    from portal.directives.status import STATUS_LABELS, STATUS_ORDER

    subject, directive = _subject(params), _directive(params)
    rows = tasks_for_report(_reader(params), directive=directive, unit=None if directive else subject,
                            date_from=_day(params.get("date_from")), date_to=_day(params.get("date_to")),
                            today=_day(params.get("date_to")))
    if progress:
        progress(30)
    counts = {status: 0 for status in STATUS_ORDER}
    tasks = []
    for row in rows:  # already overdue first (the directives domain's order)
        counts[row.status] += 1
        deadline = format_date(row.deadline) if row.deadline else (row.rhythm or "")
        tasks.append({
            "content": row.content, "directive": "" if directive else row.directive_number,
            "lead": row.lead_unit, "coordinating": ", ".join(row.coordinating_units), "deadline": deadline,
            "status": row.status_label, "status_key": row.status.value, "overdue": row.status.value == "overdue",
        })
    if directive is not None:
        intro = (f"Thực hiện {directive.doc_type.label} số {directive.number_symbol} ngày "
                 f"{format_date(directive.issued_on)} của {directive.issuer} về {directive.excerpt[:1].lower() + directive.excerpt[1:]}, "
                 "tình hình thực hiện các nhiệm vụ được giao như sau:")
    else:
        intro = (f"Tình hình thực hiện các nhiệm vụ do {subject.name} chủ trì hoặc phối hợp thực hiện "
                 f"{_period_text(params)} như sau:".replace("  ", " "))
    snapshot = {
        "subject_name": subject.name, "intro": intro, "period_text": _period_text(params),
        "directive": directive.number_symbol if directive else "",
        "directive_excerpt": directive.excerpt if directive else "",
        "counts": [{"key": s.value, "label": STATUS_LABELS[s], "count": counts[s]} for s in STATUS_ORDER],
        "total": len(tasks), "tasks": tasks,
    }
    snapshot["summary"] = summaries.task_summary(snapshot)
    return snapshot


def tasks_titles(snapshot: dict) -> tuple[str, str, str]:
    if snapshot["directive"]:
        return "BÁO CÁO", "Tình hình thực hiện nhiệm vụ", f"theo văn bản số {snapshot['directive']}"
    return "BÁO CÁO", "Tình hình thực hiện nhiệm vụ", f"của {snapshot['subject_name']} {snapshot['period_text']}".strip()


def directive_choices(user) -> list[tuple[int, str]]:
    from portal.directives.services import visible_directives

    stmt = visible_directives(user).order_by(None)
    directives = sorted(db.session.scalars(stmt), key=lambda d: (d.issued_on, d.id), reverse=True)
    return [(d.id, f"{d.number_symbol} — {d.excerpt[:80]}") for d in directives]


CHECKS = {
    ReportKind.ROSTER: check_roster,
    ReportKind.TESTING: check_coverage,
    ReportKind.VACCINATION: check_coverage,
    ReportKind.TASKS: check_tasks,
}
GATHERERS = {
    ReportKind.ROSTER: gather_roster,
    ReportKind.TESTING: gather_testing,
    ReportKind.VACCINATION: gather_vaccination,
    ReportKind.TASKS: gather_tasks,
}
TITLES = {
    ReportKind.ROSTER: data.roster_excerpt,
    ReportKind.TESTING: testing_titles,
    ReportKind.VACCINATION: vaccination_titles,
    ReportKind.TASKS: tasks_titles,
}


# --- the command line ---------------------------------------------------------------------------

def _campaign(name: str | None) -> Campaign:
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if name:
        stmt = select(Campaign).where(Campaign.name == name)
    campaign = db.session.scalars(stmt).first()
    if campaign is None:
        raise _error(f"Không có chiến dịch {name!r}." if name else "Chưa có chiến dịch nào.")
    return campaign


def _root_unit() -> Unit | None:
    return db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)).first()


def cli_params(kind: ReportKind, subject, campaign_name, directive_number, roster_kind, site_name) -> dict:
    """The parameters of a report asked for on the command line."""
    if kind is ReportKind.ROSTER:
        if subject is None:
            raise _error("Danh sách in cần --unit (mã xã/phường).")
        campaign = _campaign(campaign_name)
        roster = db.session.scalars(select(Roster).where(
            Roster.unit_id == subject.id, Roster.campaign_id == campaign.id, Roster.kind == RosterKind(roster_kind)
        )).first()
        if roster is None:
            raise _error(f"{subject.name} chưa có danh sách {RosterKind(roster_kind).label.lower()} của {campaign.name}.")
        params = {"subject_unit_id": subject.id, "roster_id": roster.id, "site_id": None}
        if site_name:
            site = db.session.scalars(select(Site).where(Site.unit_id == subject.id, Site.campaign_id == campaign.id,
                                                         Site.name == site_name)).first()
            if site is None:
                raise _error(f"{subject.name} không có điểm {site_name!r} trong {campaign.name}.")
            params["site_id"] = site.id
        return params
    subject = subject or _root_unit()
    if kind is ReportKind.TASKS:
        return {"subject_unit_id": subject.id, "directive_id": directive_id_for(directive_number)}
    return {"subject_unit_id": subject.id, "campaign_id": _campaign(campaign_name).id}


def directive_id_for(number: str | None):
    from portal.directives.models import Directive

    if not number:
        return None
    directive = db.session.scalars(select(Directive).where(Directive.number_symbol == number.strip())
                                   .order_by(Directive.issued_on.desc())).first()
    if directive is None:
        raise _error(f"Không có văn bản chỉ đạo số {number}.")
    return directive.id


def default_issuer(kind: ReportKind, subject: Unit) -> Unit:
    """Health reports are issued by the health authority serving the subject (Sở Y tế) when there
    is one; other reports by the subject unit itself."""
    if kind is not ReportKind.TASKS:
        for unit in db.session.scalars(select(Unit).where(Unit.health_authority.is_(True))):
            if subject.is_within(unit.territory()):
                return unit
    return subject
