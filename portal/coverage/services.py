"""Keeping the coverage counters, and reading them for dashboards, the CLI and drill-downs."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, false, func, literal, or_, select

from portal.campaigns.models import Campaign, Round
from portal.campaigns.services import targets_of
from portal.coverage import arithmetic
from portal.coverage.models import CoverageCounter, PersonStatus
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind, Zone
from portal.sampling.models import Dose, Sample
from portal.units.models import Unit, UnitKind


_COUNTER_UPSERT: dict[str, object] = {}


def _counter_upsert(dialect: str):
    """INSERT ... ON CONFLICT DO UPDATE value = value + the row's amount (SQLite and
    PostgreSQL), built once per dialect: executed with one row per counter. Concurrent
    transactions bumping the same counter wait for each other's row lock: no count is lost."""
    if dialect not in _COUNTER_UPSERT:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = CoverageCounter.__table__
        stmt = insert(table)
        _COUNTER_UPSERT[dialect] = stmt.on_conflict_do_update(
            index_elements=["campaign_id", "unit_id", "zone", "key"], set_={"value": table.c.value + stmt.excluded.value})
    return _COUNTER_UPSERT[dialect]


def bump(campaign_id: int, unit_id: int, zone: str, changes: dict[str, int], connection=None) -> None:
    """Move one cell's counters by `changes`, in the session's transaction (or on `connection`,
    from inside a flush)."""
    rows = [{"campaign_id": campaign_id, "unit_id": unit_id, "zone": zone, "key": key, "value": amount}
            for key, amount in sorted(changes.items()) if amount]
    if rows:
        executor = connection if connection is not None else db.session
        dialect = (connection if connection is not None else db.session.get_bind()).dialect.name
        executor.execute(_counter_upsert(dialect), rows)


def count_on_rosters(campaign_id: int, heads: Counter, connection=None) -> None:
    """People joined (+n) or left (-n) the campaign's rosters: `heads` maps (commune id, roster
    kind, zone, priority group) to the change. One upsert per (commune, zone), in a fixed
    order (two transactions bumping the same cells cannot deadlock)."""
    cells: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for (unit_id, kind, zone, group), amount in heads.items():
        cells[(unit_id, getattr(zone, "value", zone))][arithmetic.head_key(kind, group)] += amount
    for (unit_id, zone), changes in sorted(cells.items()):
        bump(campaign_id, unit_id, zone, changes, connection)


def count_inserted_people(roster: Roster, placed: Counter) -> None:
    """People just inserted in bulk into `roster` (imports, the demo) join its head counts:
    `placed` maps (zone, priority group) to how many of them, one upsert each, not one per person."""
    count_on_rosters(roster.campaign_id, Counter(
        {(roster.unit_id, roster.kind, zone, group): n for (zone, group), n in placed.items()}))


def _facts(person_id: int) -> list[arithmetic.SampleFact]:
    rows = db.session.execute(select(Sample.round_number, Sample.taken_on, Sample.result, Sample.pooled,
                                     Sample.taken_at).where(Sample.person_id == person_id)).all()
    return [arithmetic.SampleFact(r.round_number, r.taken_on, r.result.value, r.pooled, r.taken_at) for r in rows]


def refresh_person(person: Person, targets: dict[str, arithmetic.Target] | None = None) -> PersonStatus:
    """Re-derive one person's state from their samples and doses; move the counters by the change."""
    targets = targets if targets is not None else targets_of(person.campaign_id)
    zone = person.zone.value
    group = person.priority_group or ""
    doses = person.prior_doses + (db.session.scalar(select(func.count()).where(Dose.person_id == person.id)) or 0)
    facts = _facts(person.id)
    new = arithmetic.person_state(facts, targets.get(zone), doses)
    status = db.session.get(PersonStatus, person.id)
    if status is None:
        old_counts: Counter = Counter()
        status = PersonStatus(person_id=person.id, campaign_id=person.campaign_id, unit_id=person.unit_id)
        db.session.add(status)
    else:
        old_state = arithmetic.PersonState(status.rounds, status.rounds_on_time, status.pending, status.positive,
                                           status.retest, status.doses)
        old_counts = arithmetic.contribution(old_state, targets.get(status.zone), status.priority_group)
        if status.zone != zone:  # the roster moved the person to another zone: take them out of the old cell
            bump(person.campaign_id, status.unit_id, status.zone, {k: -v for k, v in old_counts.items()})
            old_counts = Counter()
            for fact in facts:  # their samples per day move with them
                bump_day(person.campaign_id, status.unit_id, status.zone, fact.taken_on, -1)
                bump_day(person.campaign_id, person.unit_id, zone, fact.taken_on, 1)
    status.zone, status.priority_group = zone, group
    status.rounds, status.rounds_on_time, status.pending = new.rounds, new.rounds_on_time, new.pending
    status.positive, status.retest, status.doses = new.positive, new.retest, new.doses
    bump(person.campaign_id, person.unit_id, zone,
         arithmetic.delta(old_counts, arithmetic.contribution(new, targets.get(zone), group)))
    db.session.flush()
    return status


def count_new_sample(person: Person, round_number: int, day, targets: dict[str, arithmetic.Target]) -> None:
    """A sample just recorded for `person` (pending): their stored state moves by that one sample
    (arithmetic.with_new_sample) instead of being re-derived from all their samples, and the
    counters move by the difference and the day's count, in one statement.

    A person without a state row has no samples and no recorded doses yet (every path that adds
    either keeps the row), so their state before is that of their earlier doses alone. A row
    that no longer matches the roster (zone, commune or group) goes the long way: refresh_person."""
    zone, group = person.zone.value, person.priority_group or ""
    status = db.session.get(PersonStatus, person.id)
    if status is None:
        old_state, old_counts = arithmetic.person_state([], targets.get(zone), person.prior_doses), Counter()
        status = PersonStatus(person_id=person.id, campaign_id=person.campaign_id, unit_id=person.unit_id, zone=zone,
                              priority_group=group)
        db.session.add(status)
    elif (status.zone, status.unit_id, status.priority_group) == (zone, person.unit_id, group):
        old_state = arithmetic.PersonState(status.rounds, status.rounds_on_time, status.pending, status.positive,
                                           status.retest, status.doses)
        old_counts = arithmetic.contribution(old_state, targets.get(zone), group)
    else:
        refresh_person(person, targets)
        bump_day(person.campaign_id, person.unit_id, zone, day, 1)
        return
    new = arithmetic.with_new_sample(old_state, round_number, day, targets.get(zone))
    status.rounds, status.rounds_on_time, status.pending = new.rounds, new.rounds_on_time, new.pending
    status.positive, status.retest, status.doses = new.positive, new.retest, new.doses
    changes = arithmetic.delta(old_counts, arithmetic.contribution(new, targets.get(zone), group))
    day_key = f"day:{day.isoformat()}"
    changes[day_key] = changes.get(day_key, 0) + 1
    bump(person.campaign_id, person.unit_id, zone, changes)


def bump_day(campaign_id: int, unit_id: int, zone: str, day, amount: int) -> None:
    bump(campaign_id, unit_id, zone, {f"day:{day.isoformat()}": amount})


def rebuild_campaign(campaign_id: int) -> None:
    """Recompute every person state and counter of a campaign from its samples, doses and
    rosters, in bulk (targets changed, repairs, demo data): the same arithmetic as the
    incremental path."""
    db.session.flush()
    db.session.execute(delete(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id))
    db.session.execute(delete(PersonStatus).where(PersonStatus.campaign_id == campaign_id))
    targets = targets_of(campaign_id)
    facts: dict[int, list] = defaultdict(list)
    days: Counter = Counter()
    for pid, unit_id, number, taken_on, result, pooled, taken_at in db.session.execute(
            select(Sample.person_id, Sample.unit_id, Sample.round_number, Sample.taken_on, Sample.result, Sample.pooled,
                   Sample.taken_at).where(Sample.campaign_id == campaign_id)):
        facts[pid].append(arithmetic.SampleFact(number, taken_on, result.value, pooled, taken_at))
        days[(pid, unit_id, taken_on)] += 1
    doses = dict(db.session.execute(select(Dose.person_id, func.count()).where(Dose.campaign_id == campaign_id)
                                    .group_by(Dose.person_id)).all())
    zones = {}
    people = []
    for pid, unit_id, zone, group, prior in db.session.execute(
            select(Person.id, Person.unit_id, Person.zone, Person.priority_group, Person.prior_doses)
            .where(Person.campaign_id == campaign_id)):
        zones[pid] = zone.value
        if pid not in facts and pid not in doses and not prior:
            continue
        people.append((pid, unit_id, zone, group, prior + doses.get(pid, 0)))
    statuses, counters = _states(campaign_id, people, facts, targets)
    for (pid, unit_id, day), count in days.items():
        counters[(unit_id, zones.get(pid, "other"))][f"day:{day.isoformat()}"] += count
    for unit_id, kind, zone, group, count in db.session.execute(
            select(Person.unit_id, Roster.kind, Person.zone, Person.priority_group, func.count())
            .join(Roster, Roster.id == Person.roster_id).where(Person.campaign_id == campaign_id)
            .group_by(Person.unit_id, Roster.kind, Person.zone, Person.priority_group)):
        counters[(unit_id, zone.value)][arithmetic.head_key(kind, group)] += count
    _insert_statuses(statuses)
    rows = [dict(campaign_id=campaign_id, unit_id=unit_id, zone=zone, key=key, value=value)
            for (unit_id, zone), values in counters.items() for key, value in values.items() if value]
    if rows:
        db.session.execute(CoverageCounter.__table__.insert(), rows)
    db.session.flush()
    db.session.expire_all()


def _states(campaign_id: int, people, facts: dict, targets: dict) -> tuple[list[dict], dict[tuple, Counter]]:
    """One pass over (person id, commune, zone, priority group, doses): their state rows and the
    counters they add per (commune, zone). Shared by the rebuild and the bulk roster import."""
    counters: dict[tuple, Counter] = defaultdict(Counter)
    statuses = []
    for pid, unit_id, zone, group, dose_count in people:
        zone, group = getattr(zone, "value", zone), group or ""
        state = arithmetic.person_state(facts.get(pid, []), targets.get(zone), dose_count)
        counters[(unit_id, zone)].update(arithmetic.contribution(state, targets.get(zone), group))
        statuses.append(dict(person_id=pid, campaign_id=campaign_id, unit_id=unit_id, zone=zone, priority_group=group,
                             rounds=state.rounds, rounds_on_time=state.rounds_on_time, pending=state.pending,
                             positive=state.positive, retest=state.retest, doses=state.doses))
    return statuses, counters


def _insert_statuses(statuses: list[dict]) -> None:
    for start in range(0, len(statuses), 5000):
        db.session.execute(PersonStatus.__table__.insert(), statuses[start:start + 5000])


def count_imported_people(roster_id: int, campaign_id: int) -> int:
    """People just inserted in bulk into a roster (a file import) start counting at once.

    Newly imported people have no samples or doses yet, so their state depends only on their
    zone and earlier doses (the head counts are bumped by count_inserted_people).
    Set-based, so a 100,000-row import stays fast: one GROUP BY over the roster's new people
    with earlier doses; the arithmetic computes the state of each (zone, earlier doses) and the
    counters of each group once, multiplied by its head count; one INSERT ... SELECT per
    (zone, earlier doses) writes their state rows. Returns the number of people now counted."""
    db.session.flush()
    person, status = Person.__table__, PersonStatus.__table__
    new = and_(person.c.roster_id == roster_id, person.c.prior_doses > 0,
               ~exists().where(status.c.person_id == person.c.id))
    groups = db.session.execute(
        select(person.c.unit_id, person.c.zone, person.c.priority_group, person.c.prior_doses, func.count())
        .where(new).group_by(person.c.unit_id, person.c.zone, person.c.priority_group, person.c.prior_doses)).all()
    if not groups:
        return 0
    targets = targets_of(campaign_id)
    states: dict[tuple, arithmetic.PersonState] = {}
    counters: dict[tuple, Counter] = defaultdict(Counter)
    for unit_id, zone, group, prior, count in groups:
        zone = getattr(zone, "value", zone)
        state = states.setdefault((zone, prior), arithmetic.person_state([], targets.get(zone), prior))
        for key, value in arithmetic.contribution(state, targets.get(zone), group or "").items():
            counters[(unit_id, zone)][key] += value * count
    columns = ["person_id", "campaign_id", "unit_id", "zone", "priority_group", "rounds", "rounds_on_time", "pending",
               "positive", "retest", "doses"]
    for (zone, prior), state in states.items():
        db.session.execute(status.insert().from_select(columns, select(
            person.c.id, literal(campaign_id), person.c.unit_id, person.c.zone, func.coalesce(person.c.priority_group, ""),
            literal(state.rounds), literal(state.rounds_on_time), literal(state.pending), literal(state.positive),
            literal(state.retest), literal(state.doses)).where(new, person.c.zone == Zone(zone), person.c.prior_doses == prior)))
    for (unit_id, zone), values in counters.items():
        bump(campaign_id, unit_id, zone, dict(values))
    db.session.flush()
    return sum(count for *_, count in groups)


# ---- reading -------------------------------------------------------------------------------

@dataclass
class Row:
    unit: Unit
    figures: arithmetic.Figures
    behind: bool = False
    by_zone: dict | None = None


def communes_under(unit: Unit, visible) -> list[Unit]:
    stmt = select(Unit).where(Unit.kind == UnitKind.COMMUNE, Unit.path.startswith(unit.path, autoescape=True),
                              Unit.id.in_(visible))
    return list(db.session.scalars(stmt.order_by(Unit.code)))


def people_per_zone(campaign_id: int, commune_ids: list[int]) -> dict[int, Counter]:
    """People on the testing rosters of these communes, per zone: {commune id: {zone: people}}."""
    people: dict[int, Counter] = defaultdict(Counter)
    for unit_id, zone, value in db.session.execute(select(
            CoverageCounter.unit_id, CoverageCounter.zone, CoverageCounter.value).where(
            CoverageCounter.campaign_id == campaign_id, CoverageCounter.key == arithmetic.PEOPLE,
            CoverageCounter.unit_id.in_(commune_ids or [0]))):
        people[unit_id][zone] += value
    return people


def commune_cells(campaign: Campaign, commune_ids: list[int]):
    """{commune_id: {zone: Figures}} and {commune_id: {group: people}} from the counters (the
    roster head counts among them)."""
    cells: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    people: dict[int, Counter] = defaultdict(Counter)
    vacc: dict[int, Counter] = defaultdict(Counter)
    if not commune_ids:
        return {}, {}
    ids = commune_ids if len(commune_ids) <= 500 else None  # a long IN list costs more than it saves
    q = select(CoverageCounter.unit_id, CoverageCounter.zone, CoverageCounter.key, CoverageCounter.value).where(
        CoverageCounter.campaign_id == campaign.id)
    if ids:
        q = q.where(CoverageCounter.unit_id.in_(ids))
    vacc_prefix = arithmetic.VACC_PEOPLE + ":"
    for unit_id, zone, key, value in db.session.execute(q):
        if key == arithmetic.PEOPLE:
            people[unit_id][zone] += value
        elif key.startswith(vacc_prefix):
            if value:  # a group whose last person left shows no more
                vacc[unit_id][key[len(vacc_prefix):]] += value
        else:
            cells[unit_id][zone][key] += value
    wanted = set(commune_ids)
    zone_figs = {}
    for unit_id in wanted:
        zone_figs[unit_id] = {
            zone: arithmetic.figures(cells[unit_id][zone], people=people[unit_id][zone])
            for zone in arithmetic.ZONES}
        vacc_counters = Counter()
        for zone in arithmetic.ZONES:
            vacc_counters.update({k: v for k, v in cells[unit_id][zone].items() if k.startswith("dose")})
        zone_figs[unit_id]["_groups"] = {
            group: arithmetic.figures(vacc_counters, vacc_people=vacc[unit_id][group], group=group)
            for group in sorted(set(vacc[unit_id]) | {k.partition(":")[2] for k in vacc_counters})}
    return zone_figs, vacc


def commune_total(cells: dict) -> arithmetic.Figures:
    total = arithmetic.rollup(cells[z] for z in arithmetic.ZONES)
    groups = arithmetic.rollup(cells["_groups"].values())
    total.vacc_people, total.dose1, total.dose2 = groups.vacc_people, groups.dose1, groups.dose2
    return total


@dataclass
class Dashboard:
    campaign: Campaign
    unit: Unit
    rows: list[Row]
    total: arithmetic.Figures
    by_zone: dict[str, arithmetic.Figures]
    by_group: dict[str, arithmetic.Figures]
    round_numbers: list[int]
    deadline: object
    targets: dict


def dashboard(campaign: Campaign, unit: Unit, visible, today) -> Dashboard:
    """Figures of `unit` for a campaign, one row per child unit (districts of the city, communes
    of a district, zones of a commune), restricted to the communes the user may see."""
    communes = communes_under(unit, visible)
    cells, _ = commune_cells(campaign, [c.id for c in communes])
    targets = targets_of(campaign.id)
    deadline = max((t.deadline for t in targets.values()), default=campaign.ends_on)
    groups_of_rows: dict[int, list[Unit]] = defaultdict(list)
    children: dict[int, Unit] = {}
    depth = unit.path.count("/")
    for commune in communes:
        ids = [int(x) for x in commune.path.strip("/").split("/")]
        child_id = ids[depth - 1] if len(ids) >= depth else commune.id
        groups_of_rows[child_id].append(commune)
        children.setdefault(child_id, commune)
    if groups_of_rows:
        for child in db.session.scalars(select(Unit).where(Unit.id.in_(list(groups_of_rows)))):
            children[child.id] = child
    rows, by_zone, by_group = [], {z: arithmetic.Figures() for z in arithmetic.ZONES}, {}
    for child_id, members in groups_of_rows.items():
        totals = [commune_total(cells[c.id]) for c in members]
        behind = any(arithmetic.is_behind(t, today, campaign.starts_on, deadline) for t in totals)
        figs = arithmetic.rollup(totals)
        rows.append(Row(children[child_id], figs, behind))
        for c in members:
            for z in arithmetic.ZONES:
                by_zone[z].add(cells[c.id][z])
            for g, f in cells[c.id]["_groups"].items():
                by_group.setdefault(g, arithmetic.Figures()).add(f)
    rows.sort(key=lambda r: r.unit.code)
    total = arithmetic.rollup(r.figures for r in rows)
    rounds = sorted({r for f in by_zone.values() for r in f.rounds} | set(range(1, max(
        (t.rounds_required for t in targets.values()), default=1) + 1)) | set(db.session.scalars(
        select(Round.number).where(Round.campaign_id == campaign.id))))
    by_group = dict(sorted(by_group.items(), key=lambda item: _natural(item[0])))
    return Dashboard(campaign, unit, rows, total, by_zone, by_group, rounds, deadline, targets)


def _natural(text: str):
    """"Nhóm 2" before "Nhóm 11"."""
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or "")]


# ---- who is behind a number ------------------------------------------------------------------

METRICS = {
    "people": "Người trong danh sách xét nghiệm", "met": "Đạt chỉ tiêu", "unmet": "Chưa đạt chỉ tiêu",
    "pending": "Chờ kết quả", "positive": "Dương tính", "retest": "Cần xét nghiệm lại đơn",
    "round": "Đã lấy mẫu đợt", "missing": "Chưa lấy mẫu đợt", "dose1": "Đã tiêm ≥ 1 mũi", "dose2": "Đã tiêm ≥ 2 mũi",
    "vacc_people": "Người trong danh sách tiêm chủng",
}
VACCINATION_METRICS = ("vacc_people", "dose1", "dose2")  # counted on the vaccination roster


def people_behind(campaign: Campaign, unit: Unit, visible, metric: str, zone: str | None = None,
                  round_number: int | None = None, limit: int = 200, offset: int = 0):
    """The people counted in one figure, in the user's communes. Unknown metric: nothing."""
    kind = RosterKind.VACCINATION if metric in VACCINATION_METRICS else RosterKind.TESTING
    stmt = (select(Person).join(Roster, Roster.id == Person.roster_id)
            .outerjoin(PersonStatus, PersonStatus.person_id == Person.id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Roster.campaign_id == campaign.id, Roster.kind == kind, Person.unit_id.in_(visible),
                   Unit.path.startswith(unit.path, autoescape=True)))
    if zone in arithmetic.ZONES:
        stmt = stmt.where(Person.zone == zone)
    targets = targets_of(campaign.id)
    met = or_(*(and_(Person.zone == z, PersonStatus.rounds_on_time.op("&")(arithmetic.required_mask(t.rounds_required))
                     == arithmetic.required_mask(t.rounds_required)) for z, t in targets.items())) if targets else false()
    if metric in ("round", "missing") and round_number is not None and not arithmetic.is_round_number(round_number):
        return [], 0
    bit = arithmetic.round_bit(round_number or 1) if metric in ("round", "missing") else 1
    conditions = {
        "people": None, "vacc_people": None, "met": met, "unmet": or_(PersonStatus.person_id.is_(None), ~met),
        "pending": PersonStatus.pending > 0, "positive": PersonStatus.positive.is_(True),
        "retest": PersonStatus.retest.is_(True), "round": PersonStatus.rounds.op("&")(bit) != 0,
        "missing": or_(PersonStatus.person_id.is_(None), PersonStatus.rounds.op("&")(bit) == 0),
        "dose1": PersonStatus.doses >= 1, "dose2": PersonStatus.doses >= 2,
    }
    if metric not in conditions:
        return [], 0
    if conditions[metric] is not None:
        stmt = stmt.where(conditions[metric])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    people = list(db.session.scalars(stmt.order_by(Person.unit_id, Person.sort_key).limit(limit).offset(offset)))
    return people, total
