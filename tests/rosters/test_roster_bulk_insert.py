"""The import's bulk write (portal.bulk): COPY on PostgreSQL, executemany on SQLite, and either
way the same rows as a Core insert, whatever the text holds."""
from datetime import date

from sqlalchemy import delete, event, select

from portal import bulk
from portal.extensions import db
from portal.rosters import imports
from portal.rosters.models import Person, Sex, Zone
from portal.timeutil import utcnow
from tests.rosters.roster_files import simple_xlsx
from tests.rosters.roster_helpers import roster_of

# Text that COPY's text format must escape (tab, line breaks, backslashes, "\N", which is its
# NULL), Vietnamese in NFC and NFD, quotes and separators of other formats.
AWKWARD = ["Nguyễn Thị Ánh\tTuyết", "dòng một\ndòng hai\r\nba\rbốn", "C:\\tệp\\mới \\N \\t \\\\", "\\N",
           "Nghi\u0303a Du\u0303ng", "“ngoặc” 'đơn' \"kép\"; a,b|c", "", "  khoảng trắng  "]
COLUMNS = ("roster_id", "unit_id", "campaign_id", "created_at", "updated_at", "full_name", "birth_date",
           "birth_year", "sex", "cccd", "phone", "address", "zone", "priority_group", "prior_doses",
           "name_folded", "sort_key", "warnings")


def _records(roster) -> list[dict]:
    now = utcnow()
    records = []
    for i, text in enumerate(AWKWARD):
        records.append({
            "roster_id": roster.id, "unit_id": roster.unit_id, "campaign_id": roster.campaign_id,
            "created_at": now, "updated_at": now, "full_name": f"Bùi Thị Hạnh {chr(65 + i)}",
            "birth_date": date(1968, 2, 29) if i % 2 else None, "birth_year": 1968,
            "sex": Sex.FEMALE if i % 2 else Sex.MALE, "cccd": None if i % 3 else f"0011680000{i:02d}",
            "phone": None if i % 2 else f"09120000{i:02d}", "address": text,
            "zone": (Zone.LOCKDOWN, Zone.HIGH_RISK, Zone.OTHER)[i % 3],
            "priority_group": None if i % 2 else "Nhóm 3", "prior_doses": i % 3,
            "name_folded": f"bui thi hanh {chr(97 + i)}", "sort_key": "hanh" + "a" * i,
            "warnings": None if i % 2 else text[:500],
        })
    return records


def _ours(roster):
    return (Person.roster_id == roster.id) & Person.full_name.startswith("Bùi Thị Hạnh ")


def _stored(roster) -> list[tuple]:
    rows = db.session.execute(select(*(Person.__table__.c[name] for name in COLUMNS))
                              .where(_ours(roster)).order_by(Person.full_name)).all()
    return [tuple(row) for row in rows]


def test_bulk_insert_writes_what_a_core_insert_writes(app):
    roster = roster_of()
    records = _records(roster)
    db.session.execute(Person.__table__.insert(), records)
    by_core = _stored(roster)
    assert len(by_core) == len(AWKWARD)
    db.session.execute(delete(Person).where(_ours(roster)))

    statements = []

    def seen(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert bulk.insert_rows(Person.__table__, COLUMNS, iter(records)) == len(AWKWARD)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    by_bulk = _stored(roster)
    assert by_bulk == by_core
    assert [row[COLUMNS.index("address")] for row in by_bulk] == [r["address"] for r in records]
    assert by_bulk[1][COLUMNS.index("cccd")] is None and by_bulk[0][COLUMNS.index("warnings")] == AWKWARD[0]
    if db.engine.dialect.name == "postgresql":
        assert statements == []  # one COPY on the driver's connection, no INSERT statement
    else:
        assert len(statements) == 1 and statements[0].startswith("INSERT INTO person")
    db.session.rollback()


def test_bulk_insert_in_chunks_and_of_nothing(app, monkeypatch):
    roster = roster_of()
    monkeypatch.setattr(bulk, "CHUNK", 3)
    assert bulk.insert_rows(Person.__table__, COLUMNS, _records(roster)) == len(AWKWARD)
    assert bulk.insert_rows(Person.__table__, COLUMNS, []) == 0
    assert len(_stored(roster)) == len(AWKWARD)
    db.session.rollback()


def test_imported_people_keep_backslashes_vietnamese_and_empty_cells(app):
    roster = roster_of()
    rows = [[1, "nguyễn thị  ánh", "29/02/1968", "Nữ", "", "", "Số 5\\7 ngõ \\N, Đường Láng\tHà Nội", ""],
            [2, "TRẦN VĂN BÌNH", "1970", "Nam", "001070123456", "0912 345 678", "", "nguy co cao"]]
    analysis = imports.import_file(None, roster, "ds.xlsx", simple_xlsx(rows))
    assert len(analysis.accepted) == 2
    people = {p.full_name: p for p in db.session.scalars(select(Person).where(Person.roster_id == roster.id,
                                                                             Person.full_name.in_(
                                                                                 ["Nguyễn Thị Ánh", "Trần Văn Bình"])))}
    anh, binh = people["Nguyễn Thị Ánh"], people["Trần Văn Bình"]
    assert (anh.address, anh.birth_date, anh.birth_year, anh.sex, anh.cccd, anh.phone, anh.zone) == (
        "Số 5\\7 ngõ \\N, Đường Láng Hà Nội", date(1968, 2, 29), 1968, Sex.FEMALE, None, None, Zone.OTHER)
    assert (anh.name_folded, anh.priority_group, anh.prior_doses) == ("nguyen thi anh", None, 0)
    assert (binh.address, binh.birth_date, binh.birth_year, binh.cccd, binh.phone, binh.zone) == (
        "", None, 1970, "001070123456", "0912345678", Zone.HIGH_RISK)
    assert binh.warnings is None and anh.sort_key and anh.created_at == anh.updated_at
    db.session.rollback()
