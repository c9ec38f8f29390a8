"""CPU per request in process (the `cpu_ms_per_*` figures of `make bench`), with an optional
cProfile of one kind of request and the SQL statements it sends. Not part of `make bench`:
a developer's tool to find where the time goes.

    .venv/bin/python -m bench.profile_requests                        # SQLite, figures only
    bin/with-postgres .venv/bin/python -m bench.profile_requests --db postgresql
    .venv/bin/python -m bench.profile_requests --profile record --top 40
    .venv/bin/python -m bench.profile_requests --sql record           # the statements of one request

The world (Hà Nội's communes, accounts, a running campaign, the clerks' rosters) is built as
`make bench` builds it; the CPU figures use bench_http.cpu_per_request unchanged."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_http, features as bench_features, inproc, world as bench_world
from bench.http import _token
from portal.extensions import db


def _requests(world, scale):
    """Callables for one request of each kind, as cpu_per_request makes them."""
    from bench import drive_sampling

    username, code = world.accounts.clerks[-1]
    people = drive_sampling.prepare(world, scale)[code]
    people = people[:150]  # cpu_per_request uses the second half
    site = world.sites[code]
    return username, site, iter(people)


def _drop_recorded(world):
    """cpu_per_request records the people from the middle of the last clerk's list on; take
    them out so that the next run records new people (the repeat guard refuses a second sample
    within a minute)."""
    _username, code = world.accounts.clerks[-1]
    people = world._sampling_people[code]
    half = len(people) // 2
    del people[half:half + 101]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--scale", type=float, default=0.5, help="clerks' roster size (1500 × scale, at least 200)")
    parser.add_argument("--repeat", type=int, default=3, help="times the figures are measured (best kept)")
    parser.add_argument("--profile", choices=("bare", "home", "record"))
    parser.add_argument("--sql", choices=("home", "record"))
    parser.add_argument("--calls", action="store_true",
                        help="Python function calls and SQL statements per request of each kind (steady under load)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args(argv)
    if args.db == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        parser.error("PostgreSQL needs TEST_DATABASE_URL (run under bin/with-postgres)")

    features = bench_features.detect()
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        t0 = time.monotonic()
        world = bench_world.build_world(args.db, Path(tmp))
        try:
            username, site, people = _requests(world, args.scale)
            print(f"{args.db}: world built in {time.monotonic() - t0:.0f} s; "
                  f"load average {os.getloadavg()[0]:.2f}", flush=True)
            runs = []
            for _ in range(args.repeat):
                runs.append(bench_http.cpu_per_request(world, features, args.scale))
                _drop_recorded(world)
            for key in runs[0]:
                values = sorted(r[key] for r in runs)
                print(f"cpu_ms_per_request {key:7s} best {values[0]:6.2f} ms   all "
                      + " ".join(f"{v:.2f}" for v in values))
            if args.profile or args.sql or args.calls:
                _inspect(world, username, site, people, args)
        finally:
            world.drop()
    return 0


def _inspect(world, username, site, people, args):
    from sqlalchemy import event

    from portal.permissions import public

    with inproc.app_for(world) as app:
        app.add_url_rule("/_bench/ok", "bench_ok", public(lambda: "OK"))
        client = inproc.signed_in_client(app, username)
        ok = app.test_client()
        token = _token(client.get(f"/sampling/sites/{site}").get_data(as_text=True))
        db.session.remove()

        def record():
            response = client.post(f"/sampling/sites/{site}/record", data={"q": next(people)},
                                   headers={"HX-Request": "true", "X-CSRFToken": token})
            assert response.status_code == 200, response.status_code
            db.session.remove()

        calls = {"bare": lambda: ok.get("/_bench/ok"),
                 "home": lambda: (client.get("/"), db.session.remove()),
                 "record": record}
        if args.calls:
            for kind, call in calls.items():
                for _ in range(3):
                    call()
                statements = []

                def count(*_args):
                    statements.append(1)

                event.listen(db.engine, "before_cursor_execute", count)
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                for _ in range(20):
                    call()
                profiler.disable()
                event.remove(db.engine, "before_cursor_execute", count)
                total = pstats.Stats(profiler).total_calls
                print(f"calls_per_request {kind:7s} {total / 20:8.0f} Python function calls, "
                      f"{len(statements) / 20:.1f} SQL statements")
        if args.sql:
            call = calls[args.sql]
            call()
            statements = []

            def log(conn, cursor, statement, params, context, executemany):
                statements.append(" ".join(statement.split())[:400])

            event.listen(db.engine, "before_cursor_execute", log)
            call()
            event.remove(db.engine, "before_cursor_execute", log)
            print(f"{len(statements)} SQL statements for one {args.sql} request:")
            for s in statements:
                print("  ", s)
        if args.profile:
            call = calls[args.profile]
            for _ in range(5):
                call()
            n = 60
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(n):
                call()
            profiler.disable()
            print(f"cProfile of {n} {args.profile} requests (process time):")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    sys.exit(main())
