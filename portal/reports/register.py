"""The numbering register: each unit numbers its reports 1, 2, 3... within a year."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.reports.models import ReportRegister
from portal.units.models import Unit

_table = ReportRegister.__table__


def _increment(unit_id: int, year: int) -> int | None:
    # One UPDATE ... RETURNING: atomic on both databases; on PostgreSQL the row stays locked until
    # the transaction that stores the issued report commits, so two issuers never share a number.
    stmt = (
        update(_table)
        .where(_table.c.unit_id == unit_id, _table.c.year == year)
        .values(last_number=_table.c.last_number + 1)
        .returning(_table.c.last_number)
    )
    return db.session.execute(stmt).scalar()


def take_number(unit: Unit, year: int) -> int:
    """The next number of `unit`'s register for `year` (flushes; the caller's commit keeps it)."""
    number = _increment(unit.id, year)
    if number is not None:
        return number
    try:
        with db.session.begin_nested():
            db.session.execute(_table.insert().values(unit_id=unit.id, year=year, last_number=1))
        return 1
    except IntegrityError:  # another issuer opened this year's register first
        number = _increment(unit.id, year)
        assert number is not None
        return number


def last_number(unit: Unit, year: int) -> int:
    row = db.session.execute(
        _table.select().where(_table.c.unit_id == unit.id, _table.c.year == year)
    ).first()
    return row.last_number if row else 0
