"""Filling rosters, samples and the coverage state in bulk, with the portal's own rules.

People go through the portal's row validation (portal.rosters.validation.validate_row) and its
stored form (_stored_values: folded name, Vietnamese sort key), so search and sorting see what
an import would have written. Large volumes (the dashboard's million people) are inserted
with Core bulk inserts; the coverage state is derived with the portal's arithmetic."""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from bench.data import ZONE_LABELS, PeopleFactory, PersonData
from portal.extensions import db

CHUNK = 5000


def roster(unit_id: int, campaign_id: int, kind: str = "testing"):
    from portal.rosters.models import Roster, RosterKind

    found = db.session.scalars(select(Roster).where(Roster.unit_id == unit_id, Roster.campaign_id == campaign_id,
                                                    Roster.kind == RosterKind(kind))).first()
    if found is None:
        found = Roster(unit_id=unit_id, campaign_id=campaign_id, kind=RosterKind(kind))
        db.session.add(found)
        db.session.flush()
    return found


def raw_row(p: PersonData) -> dict:
    """What a commune's file holds for this person (text cells)."""
    return {"full_name": p.full_name, "birth": p.birth_date.strftime("%d/%m/%Y"), "sex": p.sex_label,
            "cccd": p.cccd or "", "phone": p.phone or "", "address": p.address, "zone": ZONE_LABELS[p.zone]}


def person_records(target, people: list[PersonData], today: date) -> list[dict]:
    from portal.rosters.services import _stored_values
    from portal.rosters.validation import validate_row

    now = datetime.now()
    records = []
    for p in people:
        result = validate_row(raw_row(p), kind=target.kind, today=today)
        if not result.ok:
            raise ValueError(f"synthetic person rejected by the portal's rules: {p} {result.errors}")
        values = _stored_values(result.values, result.warnings)
        values.update(roster_id=target.id, unit_id=target.unit_id, campaign_id=target.campaign_id,
                      created_at=now, updated_at=now)
        records.append(values)
    return records


def insert_people(target, people: list[PersonData], today: date) -> int:
    from portal.rosters.models import Person

    records = person_records(target, people, today)
    for start in range(0, len(records), CHUNK):
        db.session.execute(insert(Person), records[start:start + CHUNK])
    return len(records)


def people_ids(roster_id: int) -> list[tuple[int, str | None]]:
    from portal.rosters.models import Person

    return list(db.session.execute(select(Person.id, Person.cccd).where(Person.roster_id == roster_id)
                                   .order_by(Person.id)))


def fill_city(world, people_total: int, samples_total: int, seed: int = 7, progress=print) -> dict:
    """A city-wide campaign: people_total people on the testing rosters of every commune, and
    samples_total samples over the campaign's rounds (pooled tubes of 10, results mostly in),
    then the per-person state and the counters the dashboard reads, derived with
    portal.coverage.arithmetic exactly as refresh_person would, but in bulk."""
    from portal.campaigns.models import Round, Site, SiteKind
    from portal.campaigns.services import lab_for, targets_of
    from portal.coverage import arithmetic
    from portal.coverage.models import CoverageCounter, PersonStatus
    from portal.rosters.models import Person
    from portal.sampling.models import Result, Sample, Tube, TubeStatus
    from portal.units.models import Unit

    rng = random.Random(seed)
    factory = PeopleFactory(seed)
    campaign_id = world.campaign_id
    rounds = list(db.session.scalars(select(Round).where(Round.campaign_id == campaign_id).order_by(Round.number)))
    today = date.today()
    past_rounds = [r for r in rounds if r.starts_on <= today]
    targets = targets_of(campaign_id)
    communes = [(code, name) for code, name in world.communes]
    per_commune = max(1, people_total // len(communes))
    lab = None
    stats = Counter()
    site_of: dict[int, int] = {}
    for code, name in communes:
        unit = db.session.scalars(select(Unit).where(Unit.code == code)).one()
        site = db.session.scalars(select(Site).where(Site.unit_id == unit.id, Site.campaign_id == campaign_id)).first()
        if site is None:
            site = Site(campaign_id=campaign_id, unit_id=unit.id, kind=SiteKind.SAMPLING_POINT,
                        name=f"Điểm lấy mẫu {name}")
            db.session.add(site)
            db.session.flush()
        site_of[unit.id] = site.id
        lab = lab or lab_for(campaign_id, unit)
    db.session.commit()

    ratio = samples_total / max(1, per_commune * len(communes))
    tube_id = db.session.scalar(select(db.func.max(Tube.id))) or 0
    counters: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for n, (code, name) in enumerate(communes, start=1):
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code))
        target_roster = roster(unit_id, campaign_id, "testing")
        people = factory.people(per_commune, name)
        # Fast path for the big data set: the portal's stored form without re-validating each
        # row (validation is measured by the import figure); names folded and sorted the same way.
        from portal.rosters.sorting import sort_key
        from portal.text import fold

        now = datetime.now()
        records = [{
            "roster_id": target_roster.id, "unit_id": unit_id, "campaign_id": campaign_id, "full_name": p.full_name,
            "name_folded": fold(p.full_name), "sort_key": sort_key(p.full_name), "birth_date": p.birth_date,
            "birth_year": p.birth_year, "sex": p.sex, "cccd": p.cccd, "phone": p.phone, "address": p.address,
            "zone": p.zone, "priority_group": None, "prior_doses": 0, "warnings": None,
            "created_at": now, "updated_at": now} for p in people]
        first_id = (db.session.scalar(select(db.func.max(Person.id))) or 0) + 1
        for start in range(0, len(records), CHUNK):
            db.session.execute(insert(Person.__table__), records[start:start + CHUNK])
        ids = list(range(first_id, first_id + len(records)))  # ids follow the insert order (checked below)
        assert db.session.scalar(select(db.func.count()).select_from(Person).where(
            Person.id.between(ids[0], ids[-1]), Person.roster_id == target_roster.id)) == len(ids)

        samples, tubes, statuses = [], [], []
        open_tube, in_tube = None, 0
        for pid, p in zip(ids, people):
            # About `ratio` samples each, round after round (a fourth or fifth is a retest).
            k = max(0, min(5, int(rng.gauss(ratio, 0.9) + 0.5)))
            facts = []
            for i in range(k):
                r = past_rounds[i % len(past_rounds)]
                last = min(r.ends_on, today)
                day = r.starts_on + timedelta(days=rng.randrange((last - r.starts_on).days + 1))
                if open_tube is None or in_tube >= 10:
                    tube_id += 1
                    open_tube, in_tube = tube_id, 0
                    tubes.append({"id": tube_id, "code": f"B{tube_id:09d}", "campaign_id": campaign_id,
                                  "site_id": site_of[unit_id], "unit_id": unit_id, "lab_unit_id": lab, "pooled": True,
                                  "capacity": 10, "size": 10, "status": TubeStatus.RESULTED.value
                                  if hasattr(TubeStatus, "RESULTED") else TubeStatus.CLOSED.value,
                                  "result": Result.NEGATIVE.value, "created_at": datetime.combine(day, time(8))})
                in_tube += 1
                result = Result.PENDING if rng.random() < 0.05 else (
                    Result.POSITIVE if rng.random() < 0.002 else Result.NEGATIVE)
                taken = datetime.combine(day, time(7 + rng.randrange(10), rng.randrange(60)))
                samples.append({"tube_id": open_tube, "person_id": pid, "campaign_id": campaign_id,
                                "unit_id": unit_id, "site_id": site_of[unit_id], "round_number": r.number,
                                "taken_at": taken, "taken_on": day, "pooled": True, "result": result.value,
                                "result_at": None if result is Result.PENDING else taken + timedelta(hours=8)})
                facts.append(arithmetic.SampleFact(r.number, day, result.value, True, taken))
            state = arithmetic.person_state(facts, targets.get(p.zone), 0)
            if facts:
                statuses.append({"person_id": pid, "campaign_id": campaign_id, "unit_id": unit_id, "zone": p.zone,
                                 "priority_group": "", "rounds": state.rounds, "rounds_on_time": state.rounds_on_time,
                                 "pending": state.pending, "positive": state.positive, "retest": state.retest,
                                 "doses": state.doses})
                counters[(unit_id, p.zone)].update(arithmetic.contribution(state, targets.get(p.zone), ""))
                for f in facts:
                    counters[(unit_id, p.zone)][f"day:{f.taken_on.isoformat()}"] += 1
        for table, rows in ((Tube.__table__, tubes), (Sample.__table__, samples), (PersonStatus.__table__, statuses)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(table), rows[start:start + CHUNK])
        stats["people"] += len(records)
        stats["samples"] += len(samples)
        db.session.commit()
        if n % 20 == 0 or n == len(communes):
            progress(f"    {n}/{len(communes)} communes, {stats['people']:,} people, {stats['samples']:,} samples")
    # Counters already kept by the portal (samples recorded through HTTP earlier) add up.
    existing = db.session.execute(select(CoverageCounter.unit_id, CoverageCounter.zone, CoverageCounter.key,
                                         CoverageCounter.value).where(CoverageCounter.campaign_id == campaign_id)).all()
    for unit_id, zone, key, value in existing:
        counters[(unit_id, zone)][key] += value
    db.session.execute(db.delete(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id))
    rows = [{"campaign_id": campaign_id, "unit_id": unit_id, "zone": zone, "key": key, "value": value}
            for (unit_id, zone), counts in counters.items() for key, value in counts.items() if value]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(CoverageCounter.__table__), rows[start:start + CHUNK])
    db.session.commit()
    return dict(stats)
