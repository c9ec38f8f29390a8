"""Shared look-ups for the roster tests."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.units.services import by_code


def roster_of(code: str = "00001", kind: RosterKind = RosterKind.TESTING) -> Roster:
    return db.session.scalars(select(Roster).where(Roster.unit_id == by_code(code).id, Roster.kind == kind)).one()


def count_people(roster: Roster) -> int:
    return db.session.scalar(select(func.count()).select_from(Person).where(Person.roster_id == roster.id))


def person_data(**kw) -> dict:
    data = {"full_name": "nguyễn  văn   đức", "birth": "02/03/1985", "sex": "male", "cccd": "001 085 999 111",
            "phone": "+84 912 000 111", "address": "Số 5 ngõ 12 Nghĩa Dũng", "zone": "lockdown",
            "priority_group": "", "prior_doses": "0"}
    data.update(kw)
    return data
