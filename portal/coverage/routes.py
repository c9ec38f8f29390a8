"""Coverage dashboards (scoped to the user's units, polled by htmx) and the people behind a number."""
from flask import abort, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from portal import audit
from portal.campaigns.models import Campaign
from portal.coverage import arithmetic, bp, services
from portal.extensions import db
from portal.permissions import Ability, can, require, visible_units
from portal.templating import query_string, vn_number
from portal.timeutil import local_today
from portal.units.models import Unit, UnitKind
from portal.web import render

ADMIN_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)


# Ids and page numbers beyond this are not ours (and would overflow a database integer): 404.
LARGEST_ID = 2**31 - 1
LARGEST_PAGE = 100_000


def _int_arg(name: str, low: int, high: int) -> int | None:
    """An integer query parameter: None when absent or empty, 404 when not a number in low..high."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        abort(404)
    if not low <= value <= high:
        abort(404)
    return value


def _campaign() -> tuple[Campaign | None, list[Campaign]]:
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))
    wanted = _int_arg("campaign", 1, LARGEST_ID)
    if wanted is not None:
        chosen = next((c for c in campaigns if c.id == wanted), None)
        if chosen is None:
            abort(404)
        return chosen, campaigns
    return (campaigns[0] if campaigns else None), campaigns


def _unit(visible) -> Unit | None:
    """The unit asked for (it must be in the user's reach), else the user's widest administrative unit."""
    stmt = select(Unit).where(Unit.id.in_(visible), Unit.kind.in_(ADMIN_KINDS))
    wanted = _int_arg("unit", 1, LARGEST_ID)
    if wanted is not None:
        unit = db.session.scalars(stmt.where(Unit.id == wanted)).first()
        if unit is None:
            abort(404)
        return unit
    return db.session.scalars(stmt.order_by(func.length(Unit.path), Unit.code).limit(1)).first()


def _number_links(people_url: str | None):
    """`num(value, metric, unit, campaign, zone=None, round=None)` for the dashboard template: the
    number, linked to the people behind it when the user may see them (people_url is None
    otherwise). A Python function rather than a Jinja macro: a city dashboard shows over a
    thousand numbers, and a macro call costs about ten times more."""
    def num(value, metric, unit, campaign, zone=None, round=None) -> Markup:
        text = vn_number(value)
        if not value or not people_url:
            return Markup(text)
        query = query_string({"campaign": campaign.id, "unit": unit.id, "metric": metric, "zone": zone, "round": round})
        return Markup(f'<a href="{escape(people_url)}?{escape(query)}">{text}</a>')
    return num


@bp.route("/")
@require(Ability.VIEW_COVERAGE)
def dashboard():
    campaign, campaigns = _campaign()
    visible = visible_units(current_user, Ability.VIEW_COVERAGE)
    unit = _unit(visible)
    data = services.dashboard(campaign, unit, visible, local_today()) if campaign and unit else None
    trail = [u for u in (unit.ancestors() + [unit] if unit else [])
             if db.session.scalar(select(func.count()).where(Unit.id == u.id, Unit.id.in_(visible)))]
    people_url = url_for("coverage.people") if can(current_user, Ability.VIEW_COVERAGE_PEOPLE) else None
    return render("coverage/dashboard.html", "coverage/partials/_figures.html", campaign=campaign,
                  num=_number_links(people_url),
                  campaigns=campaigns, unit=unit, data=data, trail=trail, metrics=services.METRICS,
                  today=local_today(), arithmetic=arithmetic)


@bp.route("/people")
@require(Ability.VIEW_COVERAGE_PEOPLE)
def people():
    campaign, _ = _campaign()
    visible = visible_units(current_user, Ability.VIEW_COVERAGE_PEOPLE)
    unit = _unit(visible)
    metric = request.args.get("metric", "people")
    if campaign is None or unit is None or metric not in services.METRICS:
        abort(404)
    zone = request.args.get("zone") or None
    round_number = _int_arg("round", 1, arithmetic.MAX_ROUNDS)
    page = _int_arg("page", 1, LARGEST_PAGE) or 1
    rows, total = services.people_behind(campaign, unit, visible, metric, zone, round_number,
                                         limit=100, offset=(page - 1) * 100)
    audit.record(current_user, "coverage.view_people", object_type="unit", object_id=unit.id, unit=unit,
                 changes={"campaign": campaign.id, "metric": metric, "zone": zone, "round": round_number, "count": len(rows)})
    return render("coverage/people.html", "coverage/partials/_people_rows.html", campaign=campaign, unit=unit,
                  rows=rows, total=total, metric=metric, zone=zone, round_number=round_number, page_number=page,
                  label=services.METRICS[metric])
