"""The dashboard's big data sets (1,000,000 people and 3,000,000 samples; Hà Nội's 8.5 M and
25 M) written by the database itself, in a few set-based statements.

Writing millions of rows from Python row by row (validation, ORM parameters) takes most of an
hour on this machine; the dashboard does not need every person to be unique, only the volumes
and their spread. So:
- a pool of 5,000 people is made by bench.data (Vietnamese names, folded and sorted with the
  portal's own functions) and every generated person copies one of them, with its own CCCD;
- people, tubes (pools of 10) and samples (rounds, days, results spread by a hash of the id)
  are INSERT ... SELECT over a number series (generate_series on PostgreSQL, a recursive CTE
  on SQLite);
- the per-person state and the counters the dashboard reads (the roster head counts among
  them) are then derived with portal.coverage.arithmetic, the portal's one rule, as its
  rebuild does: once per pattern of facts, which generated people share."""
from __future__ import annotations

from collections import Counter, defaultdict
from time import monotonic
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, text

from bench.data import PeopleFactory
from portal.extensions import db

POOL = 5000
SLOTS = 5          # at most five samples per person (rounds, then retests)
POOL_SIZE = 10     # people per pooled tube


def _series(dialect: str, n: int) -> str:
    """A derived table seq(i) of 0 .. n-1."""
    if dialect == "postgresql":
        return f"(SELECT generate_series(0, {n - 1}) AS i) AS seq"
    return (f"(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) "
            "SELECT i FROM s) AS seq")


def _exec_many(sql: str, rows: list[tuple]) -> None:
    """Driver-level executemany: millions of parameter sets without SQLAlchemy's per-row work."""
    conn = db.session.connection()
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


@contextmanager
def _indexes_built_after(tables: tuple[str, ...], progress):
    """Bulk loading practice: drop the secondary indexes of these tables, load, then create them
    again from their own DDL as the database reports it (so the schema ends exactly as the
    migrations made it). Building an index once by sorting beats millions of random inserts."""
    dialect = db.session.get_bind().dialect.name
    names = ", ".join(f"'{t}'" for t in tables)
    if dialect == "postgresql":
        found = db.session.execute(text(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({names}) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)")).all()
    else:
        found = db.session.execute(text(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({names}) "
            "AND sql IS NOT NULL")).all()
    for name, _ddl in found:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    db.session.commit()
    try:
        yield
    finally:
        for name, ddl in found:
            t0 = monotonic()
            db.session.execute(text(ddl))
            db.session.commit()
            progress(f"    index {name} built in {monotonic() - t0:.1f} s")


def _stamp(dialect: str, moment: datetime):
    """A timestamp as the portal's columns hold it: SQLAlchemy stores SQLite datetimes as text
    with microseconds, which a raw insert must match for comparisons to hold."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else moment


@contextmanager
def _foreign_keys_trusted():
    """PostgreSQL checks every foreign key of every row with a trigger; generated rows are
    consistent by construction, so the load skips them as pg_restore --disable-triggers does
    (session_replication_role, allowed to the superuser of the bench's throwaway cluster)."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    db.session.execute(text("SET session_replication_role = replica"))
    try:
        yield
    finally:
        db.session.execute(text("SET session_replication_role = DEFAULT"))
        db.session.commit()


def fill(world, people_total: int, samples_total: int, seed: int = 7, progress=print) -> dict:
    with _foreign_keys_trusted():
        with _indexes_built_after(("person", "sample"), progress):
            written = _write(world, people_total, samples_total, seed, progress)
        _derive(world, *written, progress)
    return {"people": written[1] - written[0] + 1, "samples": written[2]}


def _write(world, people_total: int, samples_total: int, seed: int, progress) -> tuple[int, int, int]:
    """People, tubes and samples; returns (first person id, last person id, samples written)."""
    from portal.campaigns.models import Round, Site, SiteKind
    from portal.campaigns.services import lab_for
    from portal.rosters.sorting import sort_key
    from portal.text import fold
    from portal.units.models import Unit

    from bench.populate import roster

    dialect = db.session.get_bind().dialect.name
    campaign_id = world.campaign_id
    today = date.today()
    rounds = [r for r in db.session.scalars(select(Round).where(Round.campaign_id == campaign_id)
                                            .order_by(Round.number)) if r.starts_on <= today]
    communes = []
    lab = None
    for code, name in world.communes:
        unit = db.session.scalars(select(Unit).where(Unit.code == code)).one()
        site = db.session.scalars(select(Site).where(Site.unit_id == unit.id, Site.campaign_id == campaign_id)).first()
        if site is None:
            site = Site(campaign_id=campaign_id, unit_id=unit.id, kind=SiteKind.SAMPLING_POINT,
                        name=f"Điểm lấy mẫu {name}")
            db.session.add(site)
            db.session.flush()
        communes.append((unit.id, roster(unit.id, campaign_id, "testing").id, site.id))
        lab = lab or lab_for(campaign_id, unit)
    per_commune = max(1, people_total // len(communes))
    people_total = per_commune * len(communes)
    ratio = samples_total / people_total

    # The pool of people, and the small tables the INSERT ... SELECTs join.
    for name in ("bench_pool", "bench_commune", "bench_slot"):
        db.session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    db.session.execute(text("CREATE TABLE bench_pool (k INTEGER PRIMARY KEY, full_name VARCHAR(120), "
                            "name_folded VARCHAR(120), sort_key VARCHAR(240), birth_date DATE, birth_year INTEGER, "
                            "sex VARCHAR(10), phone VARCHAR(20), address VARCHAR(255), zone VARCHAR(20), "
                            "century_sex INTEGER)"))
    db.session.execute(text("CREATE TABLE bench_commune (k INTEGER PRIMARY KEY, unit_id INTEGER, roster_id INTEGER, "
                            "site_id INTEGER)"))
    # slot s (0..4), day offset j (0..2): the round and the moment of the sample
    db.session.execute(text("CREATE TABLE bench_slot (s INTEGER, j INTEGER, round_number INTEGER, taken_on DATE, "
                            "taken_at TIMESTAMP, PRIMARY KEY (s, j))"))
    factory = PeopleFactory(seed)
    pool = []
    for k in range(POOL):
        p = factory.person()
        # the CCCD's century/sex digit; children under 14 have no card (NULL makes the CCCD NULL)
        century_sex = None if p.cccd is None else (0 if p.birth_date.year < 2000 else 2) + (p.sex != "male")
        pool.append((k, p.full_name, fold(p.full_name), sort_key(p.full_name), p.birth_date, p.birth_year,
                     p.sex, p.phone, p.address, p.zone, century_sex))
    _exec_many("INSERT INTO bench_pool VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pool)
    _exec_many("INSERT INTO bench_commune VALUES (?, ?, ?, ?)",
               [(k, unit_id, roster_id, site_id) for k, (unit_id, roster_id, site_id) in enumerate(communes)])
    slots = []
    for s in range(SLOTS):
        r = rounds[s % len(rounds)]
        last = min(r.ends_on, today)
        for j in range(3):
            day = min(r.starts_on + timedelta(days=j), last)
            slots.append((s, j, r.number, day, _stamp(dialect, datetime.combine(day, time(7 + 3 * j + s % 3, 10 * s)))))
    _exec_many("INSERT INTO bench_slot VALUES (?, ?, ?, ?, ?)", slots)

    first_id = (db.session.scalar(text("SELECT max(id) FROM person")) or 0) + 1
    now = _stamp(dialect, datetime.now().replace(microsecond=0))
    serial = ("lpad(CAST(seq.i % 1000000 AS TEXT), 6, '0')" if dialect == "postgresql"
              else "substr('000000' || (seq.i % 1000000), -6)")
    yy = "lpad(CAST(p.birth_year % 100 AS TEXT), 2, '0')" if dialect == "postgresql" else "substr('0' || (p.birth_year % 100), -2)"
    db.session.execute(text(
        "INSERT INTO person (roster_id, unit_id, campaign_id, full_name, name_folded, sort_key, birth_date, "
        "birth_year, sex, cccd, phone, address, zone, priority_group, prior_doses, warnings, created_at, updated_at) "
        f"SELECT c.roster_id, c.unit_id, :campaign, p.full_name, p.name_folded, p.sort_key, p.birth_date, "
        f"p.birth_year, p.sex, '001' || CAST(p.century_sex AS TEXT) || {yy} || {serial}, p.phone, p.address, p.zone, "
        f"NULL, 0, NULL, :now, :now "
        f"FROM {_series(dialect, people_total)} "
        f"JOIN bench_commune c ON c.k = seq.i / {per_commune} "
        f"JOIN bench_pool p ON p.k = (CAST(seq.i AS BIGINT) * 7919) % {POOL} ORDER BY seq.i"),
        {"campaign": campaign_id, "now": now})
    last_id = first_id + people_total - 1
    assert db.session.scalar(text("SELECT count(*) FROM person WHERE id BETWEEN :a AND :b"),
                             {"a": first_id, "b": last_id}) == people_total, "person ids are not contiguous"
    progress(f"    {people_total:,} people written")

    # How many samples each person has: about `ratio`, one less or one more by a hash of the id.
    base = int(ratio)
    frac = ratio - base
    count = (f"(CASE WHEN (p.id * 37) % 100 < {int(frac * 100)} THEN {base + 1} ELSE {base} END"
             f" + CASE (p.id * 53) % 3 WHEN 0 THEN -1 WHEN 1 THEN 1 ELSE 0 END)")
    tube_base = (db.session.scalar(text("SELECT max(id) FROM sample_tube")) or 0) + 1
    tube = f"({tube_base} + ((p.id - {first_id}) / {POOL_SIZE}) * {SLOTS} + sl.s)"
    hashed = "((p.id * 31 + sl.s * 17) % 1000)"
    db.session.execute(text("DROP TABLE IF EXISTS bench_sample"))
    db.session.execute(text(
        f"CREATE TABLE bench_sample AS SELECT {tube} AS tube_id, p.id AS person_id, p.unit_id AS unit_id, "
        f"c.site_id AS site_id, sl.round_number AS round_number, sl.taken_at AS taken_at, sl.taken_on AS taken_on, "
        f"CASE WHEN {hashed} < 50 THEN 'pending' WHEN {hashed} < 52 THEN 'positive' ELSE 'negative' END AS result "
        f"FROM person p JOIN bench_commune c ON c.unit_id = p.unit_id "
        f"JOIN bench_slot sl ON sl.s < {count} AND sl.j = (p.id + sl.s) % 3 "
        f"WHERE p.id BETWEEN {first_id} AND {last_id}"))
    db.session.execute(text(
        "INSERT INTO sample_tube (id, code, campaign_id, site_id, unit_id, lab_unit_id, pooled, capacity, size, "
        "status, result, result_at, created_at) "
        "SELECT tube_id, 'B' || CAST(tube_id AS TEXT), :campaign, min(site_id), min(unit_id), :lab, :yes, "
        f"{POOL_SIZE}, count(*), 'resulted', 'negative', NULL, min(taken_at) FROM bench_sample GROUP BY tube_id"),
        {"campaign": campaign_id, "lab": lab, "yes": True})
    db.session.execute(text(
        "INSERT INTO sample (tube_id, person_id, campaign_id, unit_id, site_id, round_number, taken_at, taken_on, "
        "pooled, result, result_at) SELECT tube_id, person_id, :campaign, unit_id, site_id, round_number, taken_at, "
        "taken_on, :yes, result, NULL FROM bench_sample ORDER BY person_id, taken_at"),
        {"campaign": campaign_id, "yes": True})
    samples_written = db.session.scalar(text("SELECT count(*) FROM bench_sample"))
    for name in ("bench_sample", "bench_pool", "bench_commune", "bench_slot"):
        db.session.execute(text(f"DROP TABLE {name}"))
    db.session.commit()
    progress(f"    {samples_written:,} samples written")
    return first_id, last_id, samples_written


def _derive(world, first_id: int, last_id: int, _samples: int, progress) -> None:
    """Per-person state and the counters, with the portal's arithmetic, set-based.

    The state is a pure function of the zone and the person's sample facts, and generated people
    share few patterns of facts: the database writes each person's facts as one signature
    (bench_sig), groups people by (commune, zone, signature), Python computes the state and the
    counters of each pattern once, and one INSERT ... SELECT gives every person their state row."""
    from portal.campaigns.services import targets_of
    from portal.coverage import arithmetic
    from portal.coverage.models import CoverageCounter

    campaign_id = world.campaign_id
    targets = targets_of(campaign_id)
    dialect = db.session.get_bind().dialect.name
    fact = ("CAST(round_number AS TEXT) || '|' || CAST(taken_on AS TEXT) || '|' || result || '|' || "
            "CAST(taken_at AS TEXT)")
    aggregate = f"string_agg({fact}, ';')" if dialect == "postgresql" else f"group_concat({fact}, ';')"
    between = {"a": first_id, "b": last_id}
    db.session.execute(text("DROP TABLE IF EXISTS bench_sig"))
    db.session.execute(text("DROP TABLE IF EXISTS bench_state"))
    db.session.execute(text(f"CREATE TABLE bench_sig AS SELECT person_id, {aggregate} AS sig FROM sample "
                            "WHERE person_id BETWEEN :a AND :b GROUP BY person_id"), between)
    groups = db.session.execute(text(
        "SELECT p.unit_id, p.zone, s.sig, count(*) FROM person p JOIN bench_sig s ON s.person_id = p.id "
        "GROUP BY p.unit_id, p.zone, s.sig")).all()
    progress(f"    {len(groups):,} patterns of facts over (commune, zone)")

    def facts_of(sig: str) -> list:
        facts = []
        for item in sig.split(";"):
            number, taken_on, result, taken_at = item.split("|")
            facts.append(arithmetic.SampleFact(int(number), date.fromisoformat(taken_on), result, True,
                                               datetime.fromisoformat(taken_at)))
        return facts

    states: dict[tuple[str, str], tuple] = {}
    counters: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for unit_id, zone, sig, count in groups:
        if (zone, sig) not in states:
            state = arithmetic.person_state(facts_of(sig), targets.get(zone), 0)
            states[(zone, sig)] = (state, arithmetic.contribution(state, targets.get(zone), ""))
        for key, value in states[(zone, sig)][1].items():
            counters[(unit_id, zone)][key] += value * count
    for unit_id, zone, day, count in db.session.execute(text(
            "SELECT s.unit_id, p.zone, s.taken_on, count(*) FROM sample s JOIN person p ON p.id = s.person_id "
            "WHERE s.person_id BETWEEN :a AND :b GROUP BY s.unit_id, p.zone, s.taken_on"), between):
        day = day if isinstance(day, str) else day.isoformat()  # SQLite through text(): ISO strings
        counters[(unit_id, zone)][f"day:{day}"] += count
    db.session.execute(text("CREATE TABLE bench_state (zone VARCHAR(20), sig TEXT, rounds INTEGER, "
                            "rounds_on_time INTEGER, pending INTEGER, positive BOOLEAN, retest BOOLEAN)"))
    _exec_many("INSERT INTO bench_state VALUES (?, ?, ?, ?, ?, ?, ?)",
               [(zone, sig, s.rounds, s.rounds_on_time, s.pending, s.positive, s.retest)
                for (zone, sig), (s, _) in states.items()])
    db.session.execute(text(
        "INSERT INTO person_status (person_id, campaign_id, unit_id, zone, priority_group, rounds, rounds_on_time, "
        "pending, positive, retest, doses) SELECT p.id, :campaign, p.unit_id, p.zone, '', st.rounds, "
        "st.rounds_on_time, st.pending, st.positive, st.retest, 0 FROM person p "
        "JOIN bench_sig s ON s.person_id = p.id JOIN bench_state st ON st.zone = p.zone AND st.sig = s.sig "
        "WHERE p.id BETWEEN :a AND :b"), {"campaign": campaign_id, **between})
    for name in ("bench_sig", "bench_state"):
        db.session.execute(text(f"DROP TABLE {name}"))
    progress(f"    state of {last_id - first_id + 1:,} people and the counters derived ({len(states):,} distinct states)")
    # The people on the testing rosters, as an import counts them: one GROUP BY of the new rows.
    for unit_id, zone, count in db.session.execute(text(
            "SELECT unit_id, zone, count(*) FROM person WHERE id BETWEEN :a AND :b GROUP BY unit_id, zone"), between):
        counters[(unit_id, zone)][arithmetic.head_key("testing", None)] += count
    existing = db.session.execute(select(CoverageCounter.unit_id, CoverageCounter.zone, CoverageCounter.key,
                                         CoverageCounter.value).where(CoverageCounter.campaign_id == campaign_id)).all()
    for unit_id, zone, key, value in existing:
        counters[(unit_id, zone)][key] += value
    db.session.execute(db.delete(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id))
    _exec_many("INSERT INTO coverage_counter (campaign_id, unit_id, zone, key, value) VALUES (?, ?, ?, ?, ?)",
               [(campaign_id, unit_id, zone, key, value) for (unit_id, zone), values in counters.items()
                for key, value in values.items() if value])
    db.session.commit()
