"""One person's record: the roster row, its samples and doses, what the roster's history says
about it. Reading it shows personal and health data, so every reading is audited."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal import audit
from portal.campaigns.models import Site
from portal.extensions import db
from portal.rosters.models import Person
from portal.sampling.models import Dose, Sample, Tube
from portal.units.models import Unit

# The roster's history of one person: its changes, never its readings.
HISTORY_LABELS = {"person.add": "Thêm vào danh sách", "person.update": "Sửa thông tin"}


@dataclass
class SampleLine:
    sample: Sample
    site_name: str
    tube_code: str
    lab_name: str


@dataclass
class DoseLine:
    dose: Dose
    site_name: str


@dataclass
class PersonRecord:
    person: Person
    samples: list[SampleLine] = field(default_factory=list)
    doses: list[DoseLine] = field(default_factory=list)
    history: list = field(default_factory=list)  # audit entries (person.add, person.update)
    # The same citizen (same CCCD) on the campaign's other roster of the commune.
    other_rows: list[Person] = field(default_factory=list)


def person_samples(person: Person) -> list[SampleLine]:
    lab = aliased(Unit)
    rows = db.session.execute(
        select(Sample, Site.name, Tube.code, lab.name)
        .join(Tube, Tube.id == Sample.tube_id).join(Site, Site.id == Sample.site_id)
        .join(lab, lab.id == Tube.lab_unit_id)
        .where(Sample.person_id == person.id).order_by(Sample.taken_at, Sample.id))
    return [SampleLine(*row) for row in rows]


def person_doses(person: Person) -> list[DoseLine]:
    rows = db.session.execute(select(Dose, Site.name).join(Site, Site.id == Dose.site_id)
                              .where(Dose.person_id == person.id).order_by(Dose.given_on, Dose.dose_number, Dose.id))
    return [DoseLine(*row) for row in rows]


def person_history(person: Person) -> list:
    events = audit.search_events(object_type="person", object_id=str(person.id), limit=200)
    return [e for e in reversed(events) if e.action in HISTORY_LABELS]


def other_rows(person: Person) -> list[Person]:
    if not person.cccd:
        return []
    return list(db.session.scalars(select(Person).where(
        Person.campaign_id == person.campaign_id, Person.cccd == person.cccd, Person.unit_id == person.unit_id,
        Person.id != person.id).order_by(Person.id)))


def view_person(actor, person: Person) -> PersonRecord:
    """Everything the portal holds on one roster row, for `actor` who may see it (the caller
    checked the scope); the reading is in the audit log (ids only, no personal data)."""
    audit.record(actor, "person.view", person, unit=person.unit_id, changes={"roster": person.roster_id})
    return PersonRecord(person=person, samples=person_samples(person), doses=person_doses(person),
                        history=person_history(person), other_rows=other_rows(person))
