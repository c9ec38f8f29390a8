"""People on rosters move the coverage counters, in the flush that writes them.

The rosters domain adds, edits and deletes Person rows without knowing about coverage. These
hooks keep the head counts (people per commune, roster kind, zone and priority group) in the
counters as every such row is written, so no dashboard ever recounts the people. Rows
inserted in bulk (imports, the demo) bypass them and call count_inserted_people.

When a roster removes a person, their samples, doses and coverage go with them: the foreign
keys would refuse (a 500) and the counters would drift. The delete hook takes the person's
contribution out of the counters, shrinks their tubes and deletes their samples, doses and
state. The roster's own audit entry records the removal."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, event, func, inspect, select, update

from portal.coverage import arithmetic
from portal.coverage.models import PersonStatus
from portal.rosters.models import Person, Roster
from portal.sampling.models import Dose, Sample, Tube

# What places a person in the head counts; an update touching none of these leaves them alone.
_PLACE = ("roster_id", "unit_id", "campaign_id", "zone", "priority_group")


def _place(connection, person_id: int):
    """(campaign id, (commune id, roster kind, zone, priority group)) of a person as the database holds it now."""
    row = connection.execute(select(Person.campaign_id, Person.unit_id, Roster.kind, Person.zone, Person.priority_group)
                             .join(Roster, Roster.id == Person.roster_id).where(Person.id == person_id)).one()
    return row[0], tuple(row[1:])


def _count(connection, *changes) -> None:
    """Move the head counts by (place, +1 or -1) pairs: an edit that changes no head count
    (a testing roster's priority group) bumps nothing."""
    from portal.coverage.services import count_on_rosters

    by_campaign: dict[int, Counter] = {}
    for (campaign_id, head), amount in changes:
        by_campaign.setdefault(campaign_id, Counter())[head] += amount
    for campaign_id, heads in by_campaign.items():
        count_on_rosters(campaign_id, heads, connection)


@event.listens_for(Person, "after_insert")
def _count_person(mapper, connection, person) -> None:
    _count(connection, (_place(connection, person.id), 1))


@event.listens_for(Person, "before_update")
def _note_place_before_move(mapper, connection, person) -> None:
    moving = connection.info.setdefault("coverage_moving", {})
    state = inspect(person)
    if any(state.attrs[name].history.has_changes() for name in _PLACE):
        moving[person.id] = _place(connection, person.id)
    else:
        moving.pop(person.id, None)


@event.listens_for(Person, "after_update")
def _count_moved_person(mapper, connection, person) -> None:
    old = connection.info.get("coverage_moving", {}).pop(person.id, None)
    if old is not None:
        _count(connection, (old, -1), (_place(connection, person.id), 1))


@event.listens_for(Person, "before_delete")
def _forget_person(mapper, connection, person) -> None:
    from portal.coverage.services import bump

    _count(connection, (_place(connection, person.id), -1))
    status = connection.execute(select(PersonStatus.__table__).where(PersonStatus.person_id == person.id)).first()
    if status is not None:
        from portal.campaigns.models import ZoneTarget

        target = connection.execute(select(ZoneTarget.rounds_required, ZoneTarget.deadline).where(
            ZoneTarget.campaign_id == status.campaign_id, ZoneTarget.zone == status.zone)).first()
        state = arithmetic.PersonState(status.rounds, status.rounds_on_time, status.pending, status.positive,
                                       status.retest, status.doses)
        counts = arithmetic.contribution(state, arithmetic.Target(*target) if target else None, status.priority_group)
        bump(status.campaign_id, status.unit_id, status.zone, {k: -v for k, v in counts.items()}, connection)
        days = Counter()
        for unit_id, day, n in connection.execute(select(Sample.unit_id, Sample.taken_on, func.count()).where(
                Sample.person_id == person.id).group_by(Sample.unit_id, Sample.taken_on)):
            days[(unit_id, day)] += n
        for (unit_id, day), n in days.items():
            bump(status.campaign_id, unit_id, status.zone, {f"day:{day.isoformat()}": -n}, connection)
        connection.execute(delete(PersonStatus.__table__).where(PersonStatus.person_id == person.id))
    tube_ids = [t for (t,) in connection.execute(select(Sample.tube_id).where(Sample.person_id == person.id))]
    if tube_ids:
        connection.execute(delete(Sample.__table__).where(Sample.person_id == person.id))
        tubes = Tube.__table__
        for tube_id in tube_ids:
            connection.execute(update(tubes).where(tubes.c.id == tube_id).values(size=tubes.c.size - 1))
        connection.execute(delete(tubes).where(tubes.c.id.in_(tube_ids), tubes.c.size <= 0))
    connection.execute(delete(Dose.__table__).where(Dose.person_id == person.id))
