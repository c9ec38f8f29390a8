"""Search as you type in a 50,000-person commune: server time of the htmx request the search
box sends on each key (GET /rosters/<id>?q=..., fragment with the first page rendered).

The clerk types a name without diacritics a letter at a time (from the 2nd letter on), or a
CCCD or phone prefix; some searches filter by zone. (bench/bench_rosters.py, from the rosters
work, measures the same service standalone with its own data; this runner uses the shared
synthetic city and reports into the table.)"""
from __future__ import annotations

import random

from bench import data, inproc, populate
from portal.extensions import db


def typed_queries(people, count: int, seed: int = 5) -> list[tuple[str, str]]:
    return [(text, zone) for text, zone, _ in typed_keystrokes(people, count, seed)]


def typed_keystrokes(people, count: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """(text, zone, what is typed): "name", "given", "cccd" or "phone"."""
    from portal.text import fold

    rng = random.Random(seed)
    out: list[tuple[str, str, str]] = []
    while len(out) < count:
        p = rng.choice(people)
        kind = rng.random()
        zone = rng.choice(["lockdown", "high_risk", ""]) if rng.random() < 0.1 else ""
        if kind < 0.6:          # a name, letter by letter, without diacritics
            text = fold(p.full_name)
            stop = rng.randint(4, len(text))
            out.extend((text[:n], zone, "name") for n in range(2, stop + 1))
        elif kind < 0.75:       # the given name only
            given = fold(p.full_name).split()[-1]
            out.extend((given[:n], zone, "given") for n in range(2, len(given) + 1))
        elif kind < 0.9 and p.cccd:
            out.extend((p.cccd[:n], zone, "cccd") for n in range(3, 13, 3))
        elif p.phone:
            out.extend((p.phone[:n], zone, "phone") for n in range(4, 11, 3))
    return out[:count]


def commune_of(world, size: int):
    """A commune's testing roster of `size` people and its clerk "xasearch": (people, roster id)."""
    code, name = world.communes[-3]
    people = data.PeopleFactory(seed=50).people(size, name)
    with inproc.app_for(world):
        from portal.admin import services as admin_services
        from portal.auth.models import Role
        from portal.timeutil import local_today
        from portal.units.services import by_code

        unit = by_code(code)
        target = populate.roster(unit.id, world.campaign_id, "testing")
        populate.insert_people(target, people, local_today())
        clerk = admin_services.create_user(None, "xasearch", "Cán bộ tìm kiếm", "bench-pass-2021")
        admin_services.add_grant(None, clerk, Role.COMMUNE_CLERK, unit)
        roster_id = target.id
        db.session.commit()
    return people, roster_id


def run(world, results, scale, workdir, features):
    if not features.search:
        results.missing("search_as_you_type_p95", "ms", "<= 30", world.db, "roster search")
        return
    size = max(1000, int(50_000 * scale))
    queries_count = 400
    people, roster_id = commune_of(world, size)
    with inproc.app_for(world) as app:
        if world.db == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE person")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        client = inproc.signed_in_client(app, "xasearch")
        queries = typed_queries(people, queries_count)
        timings = []
        for q, zone in queries:
            def call():
                response = client.get(f"/rosters/{roster_id}", query_string={"q": q, "zone": zone},
                                      headers={"HX-Request": "true"})
                assert response.status_code == 200, response.status_code
                db.session.remove()
            timings += inproc.timed(call, 1, warmup=0)
    results.add("search_as_you_type_p95", inproc.p95(timings), "ms", "<= 30", world.db,
                f"{len(timings)} keystrokes on {size:,} people; median {inproc.median(timings):.1f} ms, "
                f"max {max(timings):.0f} ms (in-process server time, fragment with 50 rows)")
