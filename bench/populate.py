"""Filling rosters in bulk, with the portal's own rules.

People go through the portal's row validation (portal.rosters.validation.validate_row) and its
stored form (_stored_values: folded name, Vietnamese sort key), so search and sorting see what
an import would have written. The dashboard's millions are written by bench/bigcity.py."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import insert, select

from bench.data import ZONE_LABELS, PersonData
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
    from portal.coverage.services import count_inserted_people
    from portal.rosters.models import Person

    records = person_records(target, people, today)
    for start in range(0, len(records), CHUNK):
        db.session.execute(insert(Person), records[start:start + CHUNK])
    count_inserted_people(target, Counter((r["zone"], r["priority_group"]) for r in records))  # as an import does
    return len(records)


def people_ids(roster_id: int) -> list[tuple[int, str | None]]:
    from portal.rosters.models import Person

    return list(db.session.execute(select(Person.id, Person.cccd).where(Person.roster_id == roster_id)
                                   .order_by(Person.id)))
