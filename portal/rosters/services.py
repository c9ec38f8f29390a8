"""Roster state changes and queries: plain functions, (actor, roster, data) in, objects out.

They flush, never commit: the request (or the CLI command) commits once."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import and_, column, func, literal_column, or_, select, table

from portal import audit
from portal.campaigns.models import Campaign, CampaignKind
from portal.extensions import db
from portal.permissions import Ability, can
from portal.rosters.models import Person, Roster, RosterKind, RosterStatus, Zone
from portal.rosters.qr import parse_cccd_qr
from portal.rosters.sorting import sort_key
from portal.rosters.validation import FieldError, normalise_phone, plain_text, validate_row
from portal.text import fold
from portal.timeutil import local_today
from portal.units.models import Unit, UnitKind

EDITABLE = frozenset({RosterStatus.DRAFT, RosterStatus.RETURNED})
PAGE_SIZE = 50
COUNT_AHEAD_PAGES = 5  # a text search counts its matches up to this many pages past the one shown
# SQLite's trigram index of the folded names (migration 0009): its rowid is the person's id.
PERSON_NAME_INDEX = table("person_name", column("rowid"))
TRIGRAM = 3  # the shortest text that index finds
PERSON_FIELDS = ("full_name", "birth_date", "birth_year", "sex", "cccd", "phone", "address", "zone",
                 "priority_group", "prior_doses")
# Person statuses the list filters on.
STATUS_WARNING = "warning"
STATUS_NO_CCCD = "no_cccd"
STATUS_LABELS = {STATUS_WARNING: "Có cảnh báo", STATUS_NO_CCCD: "Chưa có CCCD"}


class RosterError(Exception):
    """A refusal with the Vietnamese messages the clerk reads: `errors` is [(field, message)]."""

    def __init__(self, errors: str | list[tuple[str, str]], warnings=None):
        self.errors = [("", errors)] if isinstance(errors, str) else list(errors)
        self.warnings = list(warnings or [])
        super().__init__(" ".join(message for _, message in self.errors))


# --- rosters -------------------------------------------------------------------------------

def roster_kinds_for(campaign: Campaign) -> list[RosterKind]:
    if campaign.kind is CampaignKind.BOTH:
        return [RosterKind.TESTING, RosterKind.VACCINATION]
    return [RosterKind(campaign.kind.value)]


def find_roster(commune: Unit, campaign: Campaign, kind: RosterKind) -> Roster | None:
    return db.session.scalars(
        select(Roster).where(Roster.unit_id == commune.id, Roster.campaign_id == campaign.id, Roster.kind == kind)
    ).first()


def get_or_create_roster(actor, commune: Unit, campaign: Campaign, kind: RosterKind) -> Roster:
    roster = find_roster(commune, campaign, kind)
    if roster is not None:
        return roster
    if commune.kind is not UnitKind.COMMUNE:
        raise RosterError("Danh sách chỉ lập cho xã, phường, thị trấn.")
    if kind not in roster_kinds_for(campaign):
        raise RosterError("Chiến dịch này không có loại danh sách đó.")
    roster = Roster(unit=commune, campaign=campaign, kind=kind, status=RosterStatus.DRAFT)
    db.session.add(roster)
    db.session.flush()
    audit.record(actor, "roster.create", roster, unit=commune, changes={"kind": kind.value})
    return roster


def ensure_editable(roster: Roster) -> None:
    if roster.status not in EDITABLE:
        if roster.status is RosterStatus.APPROVED:
            raise RosterError("Danh sách đã được phê duyệt nên không thể sửa.")
        raise RosterError("Danh sách đang chờ duyệt nên không thể sửa.")


def roster_counts(roster: Roster) -> dict:
    rows = db.session.execute(
        select(Person.zone, func.count()).where(Person.roster_id == roster.id).group_by(Person.zone)
    ).all()
    by_zone = {zone: count for zone, count in rows}
    return {"total": sum(by_zone.values()), "by_zone": {z: by_zone.get(z, 0) for z in Zone}}


# --- people --------------------------------------------------------------------------------

def _stored_values(values: dict, warnings) -> dict:
    stored = {name: values.get(name) for name in PERSON_FIELDS}
    stored["address"] = stored["address"] or ""
    stored["prior_doses"] = stored["prior_doses"] or 0
    stored["name_folded"] = values["name_folded"]
    stored["sort_key"] = sort_key(values["full_name"])
    stored["warnings"] = " ".join(m for _, m in warnings)[:500] or None
    return stored


def duplicate_errors(roster: Roster, values: dict, exclude_id: int | None = None) -> list[tuple[str, str]]:
    """The same CCCD, or the same name + birth + phone, in this roster or on a roster of the
    same kind of this campaign in another commune (named, with no other data of that person)."""
    errors = []
    base = (select(Person.id, Person.roster_id, Unit.name).join(Roster, Roster.id == Person.roster_id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Person.campaign_id == roster.campaign_id, Roster.kind == roster.kind))
    if exclude_id is not None:
        base = base.where(Person.id != exclude_id)
    if values.get("cccd"):
        hit = db.session.execute(base.where(Person.cccd == values["cccd"]).limit(1)).first()
        if hit:
            errors.append(("cccd", _duplicate_message("Số CCCD này", roster, hit)))
    if values.get("phone") and not errors:
        birth = (Person.birth_date == values["birth_date"]) if values.get("birth_date") else and_(
            Person.birth_date.is_(None), Person.birth_year == values["birth_year"])
        hit = db.session.execute(base.where(Person.phone == values["phone"],
                                            Person.name_folded == values["name_folded"], birth).limit(1)).first()
        if hit:
            errors.append(("full_name", _duplicate_message("Người cùng họ tên, ngày sinh và số điện thoại", roster, hit)))
    return errors


def _duplicate_message(what: str, roster: Roster, hit) -> str:
    if hit.roster_id == roster.id:
        return f"{what} đã có trong danh sách."
    return f"{what} đã có trong danh sách của {hit.name}."


def check_person(roster: Roster, data: dict, exclude_id: int | None = None):
    result = validate_row(data, kind=roster.kind, today=local_today())
    if result.skipped:
        result.errors = [("full_name", "Vui lòng nhập họ và tên."), ("birth", "Vui lòng nhập ngày sinh (dd/mm/yyyy) hoặc năm sinh.")]
    if not result.errors:
        result.errors = duplicate_errors(roster, result.values, exclude_id)
    return result


def add_person(actor, roster: Roster, data: dict, *, on_the_spot: bool = False) -> Person:
    """Validate and add one person. `on_the_spot` (sampling/vaccination points) may add to a
    roster that is no longer a draft; that is recorded."""
    if not on_the_spot:
        ensure_editable(roster)
    result = check_person(roster, data)
    if result.errors:
        raise RosterError(result.errors, result.warnings)
    person = Person(roster_id=roster.id, unit_id=roster.unit_id, campaign_id=roster.campaign_id,
                    **_stored_values(result.values, result.warnings))
    db.session.add(person)
    db.session.flush()  # the flush counts them on the roster's head counts (coverage/events.py)
    if person.prior_doses:
        _refresh_coverage(person)
    audit.record(actor, "person.add", person, unit=roster.unit_id,
                 changes={"roster": roster.id, "on_the_spot": on_the_spot} if on_the_spot else {"roster": roster.id})
    return person


# A person's zone, priority group and earlier doses count in the campaign's coverage counters.
COVERAGE_FIELDS = {"zone", "priority_group", "prior_doses"}


def _refresh_coverage(person: Person) -> None:
    """A person who counts (earlier doses, a moved zone or group) has their state and counters
    re-derived; the head counts follow the flush (coverage/events.py)."""
    from portal.coverage.services import refresh_person

    refresh_person(person)


def update_person(actor, person: Person, data: dict) -> Person:
    roster = person.roster
    ensure_editable(roster)
    result = check_person(roster, data, exclude_id=person.id)
    if result.errors:
        raise RosterError(result.errors, result.warnings)
    changed = []
    for name, value in _stored_values(result.values, result.warnings).items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            if name not in ("name_folded", "sort_key", "warnings"):
                changed.append(name)
    db.session.flush()
    if COVERAGE_FIELDS & set(changed):
        _refresh_coverage(person)
    if changed:  # field names only: the audit log keeps no copy of personal data
        audit.record(actor, "person.update", person, unit=person.unit_id, changes={"fields": changed})
    return person


def remove_person(actor, person: Person) -> None:
    ensure_editable(person.roster)
    # Samples and doses are health records: a person who has one stays on the roster.
    from portal.sampling.models import Dose, Sample

    for model in (Sample, Dose):
        if db.session.scalar(select(model.id).where(model.person_id == person.id).limit(1)) is not None:
            raise RosterError("Không thể xóa: người này đã có mẫu xét nghiệm hoặc mũi tiêm được ghi nhận.")
    audit.record(actor, "person.remove", person, unit=person.unit_id, changes={"roster": person.roster_id})
    db.session.delete(person)
    db.session.flush()


def person_form_data(person: Person) -> dict:
    """A person's values as the form shows them."""
    return {
        "full_name": person.full_name,
        "birth": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else str(person.birth_year),
        "sex": person.sex.value, "cccd": person.cccd or "", "phone": person.phone or "",
        "address": person.address, "zone": person.zone.value,
        "priority_group": (person.priority_group or "").removeprefix("Nhóm ").strip(),
        "prior_doses": str(person.prior_doses or 0),
    }


def card_form_data(card: dict) -> dict:
    """A scanned CCCD card (qr.parse_cccd_qr) as add-form values."""
    return {"full_name": card["full_name"], "birth": card["birth_date"].strftime("%d/%m/%Y"),
            "sex": card["sex"], "cccd": card["cccd"], "address": card["address"]}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    more: bool = False  # more matches than `total`: counting stopped (COUNT_AHEAD_PAGES)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search_people(user, roster: Roster, query: str = "", zone: Zone | str | None = None, status: str | None = None,
                  page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """People of a roster in Vietnamese order, narrowed by a name (diacritics and case ignored),
    a CCCD or phone prefix, or a scanned card; by zone and by status. All filtering is SQL."""
    if user is not None and not can(user, Ability.ROSTER_VIEW, roster.unit):
        raise RosterError("Bạn không có quyền xem danh sách này.")
    conditions = [Person.roster_id == roster.id]
    name = ""  # a folded name to find
    page = max(1, int(page or 1))
    query = plain_text(query)
    card = parse_cccd_qr(query)
    digits = query.replace(" ", "").replace(".", "").replace("-", "")
    if card:
        conditions.append(Person.cccd == card["cccd"])
    elif digits and (digits.isdigit() or (digits.startswith("+") and digits[1:].isdigit())):
        phone = digits
        try:
            phone = normalise_phone(digits) or digits
        except FieldError:
            if digits.startswith("+84"):
                phone = "0" + digits[3:]
        # Prefixes as ranges on the campaign indexes (an index range on SQLite and PostgreSQL
        # alike; LIKE is not, on SQLite). Only as many ids as the count below would count are
        # taken (a short prefix, the province code, matches nearly everyone: those people are
        # not listed in the roster's order, the clerk types more digits); they are then fetched
        # by id and ordered, never by walking the whole roster.
        matching = select(Person.id).where(
            Person.roster_id == roster.id,
            or_(and_(Person.campaign_id == roster.campaign_id, *_prefix(Person.cccd, digits)),
                and_(Person.campaign_id == roster.campaign_id, *_prefix(Person.phone, phone))))
        ids = db.session.scalars(matching.limit(_count_ceiling(page, per_page) + 1)).all()
        conditions.append(Person.id.in_(ids))
    elif query:
        name = fold(query)
    if zone:
        try:
            conditions.append(Person.zone == Zone(zone))
        except ValueError:
            pass
    if status == STATUS_WARNING:
        conditions.append(Person.warnings.is_not(None))
    elif status == STATUS_NO_CCCD:
        conditions.append(Person.cccd.is_(None))

    if name:
        return _name_page(conditions, name, page, per_page)
    if query:
        return _matches_page(conditions, page, per_page)

    def page_of(number: int) -> list[Person]:
        return list(db.session.scalars(select(Person).where(*conditions).order_by(Person.sort_key, Person.id)
                                       .offset((number - 1) * per_page).limit(per_page)))

    # A list without a text is counted exactly; the page first: a page that is not full is the
    # last one, so the total is known without counting.
    items = page_of(page)
    if len(items) < per_page and (items or page == 1):
        return Page(items, (page - 1) * per_page + len(items), page, per_page)
    total = db.session.scalar(select(func.count()).select_from(select(Person.id).where(*conditions).subquery()))
    if not items:  # a page past the end (an old link): show the last one
        page = max(1, math.ceil(total / per_page))
        items = page_of(page)
    return Page(items, total, page, per_page)


def _name_page(conditions, name: str, page: int, per_page: int) -> Page:
    """A name's page. On SQLite a text of three letters or more is first looked up in the
    trigram index of the folded names (migration 0009), at most as many people as the page
    counts: a rare name is then found and ordered without walking the roster. Two letters, a
    common text (more people than that) and PostgreSQL (which picks its trigram index itself)
    walk the roster's ordered index."""
    if db.session.get_bind().dialect.name == "sqlite" and len(name) >= TRIGRAM:
        ceiling = _count_ceiling(page, per_page)
        found = db.session.scalars(
            select(Person.id).select_from(PERSON_NAME_INDEX).join(Person, Person.id == PERSON_NAME_INDEX.c.rowid)
            .where(literal_column(PERSON_NAME_INDEX.name).match(_phrase(name)), *conditions).limit(ceiling + 1)).all()
        if len(found) <= ceiling:
            return _matches_page([Person.id.in_(found)], page, per_page)
        return _matches_page([*conditions, _name_holds(name)], page, per_page, ceiling_reached=True)
    return _matches_page([*conditions, _name_holds(name)], page, per_page)


def _name_holds(name: str):
    return Person.name_folded.contains(name, autoescape=True)


def _phrase(text: str) -> str:
    """An FTS5 string: the text as it is (any character), between double quotes."""
    return '"' + text.replace('"', '""') + '"'


def _matches_page(conditions, page: int, per_page: int, ceiling_reached: bool = False) -> Page:
    """A searched text's page. Its matches are counted only up to COUNT_AHEAD_PAGES pages past
    this one: two letters typed match most of a 50,000-person roster, and counting them all on
    every keystroke costs more than the page itself ("Hơn 300 người khớp"). The ids of the
    matches, in the roster's order and up to that ceiling, come from one walk of an ordered
    index that holds the name (an index-only walk: on PostgreSQL too, no row is read to test a
    name, where the planner does not prefer its trigram index); they give both
    the page and the count (`ceiling_reached`: the count is known). Then only the page's rows are
    read, by id."""
    ceiling = _count_ceiling(page, per_page)
    # Known to match more than the ceiling: only as far as this page.
    limit = page * per_page if ceiling_reached else ceiling + 1
    ids = db.session.scalars(select(Person.id).where(*conditions).order_by(Person.sort_key, Person.id)
                             .limit(limit)).all()
    more = ceiling_reached or len(ids) > ceiling
    total = ceiling if more else len(ids)
    if (page - 1) * per_page >= total:  # a page past the end (an old link): show the last one
        page = max(1, math.ceil(total / per_page))
    shown = ids[(page - 1) * per_page:page * per_page]
    items = list(db.session.scalars(select(Person).where(Person.id.in_(shown)).order_by(Person.sort_key, Person.id))) \
        if shown else []
    return Page(items, total, page, per_page, more)


def _count_ceiling(page: int, per_page: int) -> int:
    return (page + COUNT_AHEAD_PAGES) * per_page


def _prefix(column, digits: str):
    return column >= digits, column < digits[:-1] + chr(ord(digits[-1]) + 1)


# --- workflow ------------------------------------------------------------------------------

def _transition(actor, roster: Roster, allowed_from, to: RosterStatus, action: str, refusal: str,
                reason: str | None = None) -> Roster:
    if roster.status not in allowed_from:
        raise RosterError(refusal)
    old = roster.status
    roster.status = to
    roster.return_reason = reason if to is RosterStatus.RETURNED else None
    db.session.flush()
    changes = {"status": [old.value, to.value]}
    if reason:
        changes["reason"] = reason
    audit.record(actor, action, roster, unit=roster.unit_id, changes=changes)
    return roster


def _reason(text: str | None) -> str:
    reason = plain_text(text)
    if not reason:
        raise RosterError([("reason", "Vui lòng ghi lý do.")])
    if len(reason) > 1000:
        raise RosterError([("reason", "Lý do dài tối đa 1000 ký tự.")])
    return reason


def submit_roster(actor, roster: Roster) -> Roster:
    if roster.status in EDITABLE and not db.session.scalar(select(Person.id).where(Person.roster_id == roster.id).limit(1)):
        raise RosterError("Danh sách chưa có người nào nên chưa thể gửi duyệt.")
    return _transition(actor, roster, EDITABLE, RosterStatus.SUBMITTED, "roster.submit",
                       "Danh sách đã được gửi duyệt hoặc đã được phê duyệt.")


def return_roster(actor, roster: Roster, reason: str) -> Roster:
    reason = _reason(reason)
    return _transition(actor, roster, {RosterStatus.SUBMITTED}, RosterStatus.RETURNED, "roster.return",
                       "Chỉ trả lại được danh sách đang chờ duyệt.", reason)


def approve_roster(actor, roster: Roster) -> Roster:
    return _transition(actor, roster, {RosterStatus.SUBMITTED}, RosterStatus.APPROVED, "roster.approve",
                       "Chỉ phê duyệt được danh sách đang chờ duyệt.")


def reopen_roster(actor, roster: Roster, reason: str) -> Roster:
    reason = _reason(reason)
    return _transition(actor, roster, {RosterStatus.APPROVED}, RosterStatus.DRAFT, "roster.reopen",
                       "Chỉ mở lại được danh sách đã phê duyệt.", reason)


TIMELINE_LABELS = {
    "roster.create": "Lập danh sách", "roster.submit": "Gửi duyệt", "roster.return": "Trả lại",
    "roster.approve": "Phê duyệt", "roster.reopen": "Mở lại", "roster.import": "Nhập từ tệp",
    "roster.export": "Xuất tệp",
}


def roster_timeline(roster: Roster) -> list:
    events = audit.search_events(object_type="roster", object_id=str(roster.id), limit=200)
    return [e for e in reversed(events) if e.action in TIMELINE_LABELS]


# Import and export live in their own modules; they are part of this service API.
from portal.rosters.imports import (  # noqa: E402,F401
    ImportFileError, cancel_import, commit_import, dismiss_doubtful_row, doubtful_rows, import_file, preview_import,
)
from portal.rosters.exports import export_roster  # noqa: E402,F401
from portal.rosters.person_record import view_person  # noqa: E402,F401


# --- lists of rosters ------------------------------------------------------------------------

def list_rosters(user, status: RosterStatus | None = None) -> list[Roster]:
    from portal.permissions import scoped

    stmt = scoped(select(Roster).join(Unit, Unit.id == Roster.unit_id), user, Ability.ROSTER_VIEW, Roster.unit_id)
    if status is not None:
        stmt = stmt.where(Roster.status == status)
    return list(db.session.scalars(stmt.order_by(Roster.campaign_id.desc(), Unit.code, Roster.kind)))


def people_counts(roster_ids: list[int]) -> dict[int, int]:
    if not roster_ids:
        return {}
    rows = db.session.execute(select(Person.roster_id, func.count()).where(Person.roster_id.in_(roster_ids))
                              .group_by(Person.roster_id))
    return dict(rows.all())


def missing_rosters(user) -> list[tuple[Unit, Campaign, RosterKind]]:
    """Rosters the user's communes could open but have not yet: (commune, campaign, kind)."""
    from portal.permissions import visible_units

    communes = list(db.session.scalars(select(Unit).where(Unit.id.in_(visible_units(user, Ability.ROSTER_EDIT)),
                                                         Unit.kind == UnitKind.COMMUNE).order_by(Unit.code).limit(50)))
    if not communes:
        return []
    campaigns = list(db.session.scalars(select(Campaign).where(Campaign.ends_on >= local_today() - _year())
                                        .order_by(Campaign.starts_on.desc())))
    campaigns = campaigns or list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc()).limit(3)))
    existing = {(r.unit_id, r.campaign_id, r.kind) for r in db.session.scalars(
        select(Roster).where(Roster.unit_id.in_([c.id for c in communes])))}
    missing = []
    for campaign in campaigns:
        for commune in communes:
            if not commune.is_within(campaign.unit):
                continue
            for kind in roster_kinds_for(campaign):
                if (commune.id, campaign.id, kind) not in existing:
                    missing.append((commune, campaign, kind))
    return missing


def _year():
    from datetime import timedelta

    return timedelta(days=3650)
