"""When a roster removes a person, their samples, doses and coverage go with them.

The rosters domain deletes Person rows without knowing about samples; the foreign keys
would refuse (a 500) and the counters would drift. This hook, run inside the same flush,
takes the person's contribution out of the counters, shrinks their tubes and deletes their
samples, doses and state. The roster's own audit entry records the removal."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, event, func, select, update

from portal.coverage import arithmetic
from portal.coverage.models import CoverageCounter, PersonStatus
from portal.rosters.models import Person
from portal.sampling.models import Dose, Sample, Tube


def _bump(connection, campaign_id: int, unit_id: int, zone: str, changes: dict[str, int]) -> None:
    table = CoverageCounter.__table__
    for key, amount in changes.items():
        if amount:
            connection.execute(update(table).where(
                table.c.campaign_id == campaign_id, table.c.unit_id == unit_id, table.c.zone == zone,
                table.c.key == key).values(value=table.c.value + amount))


@event.listens_for(Person, "before_delete")
def _forget_person(mapper, connection, person) -> None:
    from portal.coverage.services import people_changed

    people_changed()
    status = connection.execute(select(PersonStatus.__table__).where(PersonStatus.person_id == person.id)).first()
    if status is not None:
        from portal.campaigns.models import ZoneTarget

        target = connection.execute(select(ZoneTarget.rounds_required, ZoneTarget.deadline).where(
            ZoneTarget.campaign_id == status.campaign_id, ZoneTarget.zone == status.zone)).first()
        state = arithmetic.PersonState(status.rounds, status.rounds_on_time, status.pending, status.positive,
                                       status.retest, status.doses)
        counts = arithmetic.contribution(state, arithmetic.Target(*target) if target else None, status.priority_group)
        _bump(connection, status.campaign_id, status.unit_id, status.zone, {k: -v for k, v in counts.items()})
        days = Counter()
        for unit_id, day, n in connection.execute(select(Sample.unit_id, Sample.taken_on, func.count()).where(
                Sample.person_id == person.id).group_by(Sample.unit_id, Sample.taken_on)):
            days[(unit_id, day)] += n
        for (unit_id, day), n in days.items():
            _bump(connection, status.campaign_id, unit_id, status.zone, {f"day:{day.isoformat()}": -n})
        connection.execute(delete(PersonStatus.__table__).where(PersonStatus.person_id == person.id))
    tube_ids = [t for (t,) in connection.execute(select(Sample.tube_id).where(Sample.person_id == person.id))]
    if tube_ids:
        connection.execute(delete(Sample.__table__).where(Sample.person_id == person.id))
        tubes = Tube.__table__
        for tube_id in tube_ids:
            connection.execute(update(tubes).where(tubes.c.id == tube_id).values(size=tubes.c.size - 1))
        connection.execute(delete(tubes).where(tubes.c.id.in_(tube_ids), tubes.c.size <= 0))
    connection.execute(delete(Dose.__table__).where(Dose.person_id == person.id))
