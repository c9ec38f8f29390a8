"""Search as you type, for a developer: the same 50,000-person roster and the same keystrokes
as bench/bench_search.py, timed in wall-clock AND process (CPU) time per request, with the
query plans of the statements one keystroke sends. Not part of `make bench`.

    .venv/bin/python -m bench.profile_search --keep /tmp/search.db     # build once, then reuse
    bin/with-postgres .venv/bin/python -m bench.profile_search --db postgresql
    .venv/bin/python -m bench.profile_search --keep /tmp/search.db --explain "nguyen van" --explain 0011

A kept SQLite database is migrated to the newest revision before each run (so a new
migration is tried on real data)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench import bench_search, inproc, world as bench_world
from portal.extensions import db


def build(kind: str, workdir: Path, size: int):
    world = bench_world.build_world(kind, workdir)
    people, roster_id = bench_search.commune_of(world, size)
    return world, roster_id, bench_search.typed_keystrokes(people, 400)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--keep", help="SQLite file to build once and reuse")
    parser.add_argument("--explain", action="append", default=[], help="a typed text whose plans to print")
    parser.add_argument("--profile", action="store_true", help="cProfile of the keystrokes (process time)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="psearch-") as tmp:
        meta = Path(args.keep + ".json") if args.keep else None
        if meta and meta.exists():
            saved = json.loads(meta.read_text())
            world = bench_world.World("sqlite", saved["url"], bench_world.PROVINCE, [], bench_world.Accounts(), 0)
            roster_id, queries = saved["roster_id"], [tuple(q) for q in saved["keystrokes"]]
            from flask_migrate import upgrade

            with inproc.app_for(world):
                upgrade()
        else:
            t0 = time.monotonic()
            world, roster_id, queries = build(args.db, Path(tmp), args.size)
            if meta:
                Path(args.keep).unlink(missing_ok=True)
                url = world.url
                os.replace(url.removeprefix("sqlite:///"), args.keep)
                world.url = f"sqlite:///{args.keep}"
                meta.write_text(json.dumps({"url": world.url, "roster_id": roster_id, "keystrokes": queries}))
            print(f"built in {time.monotonic() - t0:.0f} s", flush=True)
        try:
            run(world, roster_id, queries, args)
        finally:
            if not meta and world.drop:
                world.drop()
    return 0


def run(world, roster_id, queries, args):
    with inproc.app_for(world) as app:
        if world.db == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE person")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        client = inproc.signed_in_client(app, "xasearch")

        def get(q, zone=""):
            response = client.get(f"/rosters/{roster_id}", query_string={"q": q, "zone": zone},
                                  headers={"HX-Request": "true"})
            assert response.status_code == 200, response.status_code
            db.session.remove()
            return response

        for text in args.explain:
            explain(app, get, text)
        get("ab")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for q, zone, _ in queries[:100]:
                get(q, zone)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)
        split = Split()
        wall, cpu = [], []
        with split.listening(app):
            for q, zone, kind in queries:
                split.start()
                w0, c0 = time.perf_counter(), time.process_time()
                get(q, zone)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
                split.stop(kind + (" + zone" if zone else ""), wall[-1], cpu[-1])
        print(f"{world.db}: {len(queries)} keystrokes; load average {os.getloadavg()[0]:.2f}")
        print(f"  wall  p50 {inproc.median(wall):6.1f} ms  p95 {inproc.p95(wall):6.1f} ms  max {max(wall):6.0f} ms")
        print(f"  cpu   p50 {inproc.median(cpu):6.1f} ms  p95 {inproc.p95(cpu):6.1f} ms  max {max(cpu):6.0f} ms"
              "  (app process only; PostgreSQL's own CPU not included)")
        split.print()


class Split:
    """Where a keystroke's time goes, by what is typed: SQL (cursor execute, which on SQLite
    also steps to the first row), rendering the fragment, and the rest of the request (routing,
    session, fetching and building the rows' objects), in wall and process (CPU) time, with the
    statement count; medians in ms."""

    def __init__(self):
        self.rows: dict[str, list[tuple]] = {}

    @staticmethod
    def _now():
        return time.perf_counter(), time.process_time()

    @contextmanager
    def listening(self, app):
        from flask import before_render_template, template_rendered
        from sqlalchemy import event

        def before_sql(*_):
            self._sql_from = self._now()

        def after_sql(*_):
            self._add("sql", self._sql_from)
            self.statements += 1

        def before_render(*_, **__):
            self._render_from = self._now()

        def rendered(*_, **__):
            self._add("render", self._render_from)

        event.listen(db.engine, "before_cursor_execute", before_sql)
        event.listen(db.engine, "after_cursor_execute", after_sql)
        before_render_template.connect(before_render, app)
        template_rendered.connect(rendered, app)
        try:
            yield
        finally:
            event.remove(db.engine, "before_cursor_execute", before_sql)
            event.remove(db.engine, "after_cursor_execute", after_sql)
            before_render_template.disconnect(before_render, app)
            template_rendered.disconnect(rendered, app)

    def _add(self, part, since):
        wall, cpu = self._now()
        self.spent[part][0] += (wall - since[0]) * 1000
        self.spent[part][1] += (cpu - since[1]) * 1000

    def start(self):
        self.spent = {"sql": [0.0, 0.0], "render": [0.0, 0.0]}
        self.statements = 0

    def stop(self, kind, wall_ms, cpu_ms):
        (sql, sql_cpu), (render, render_cpu) = self.spent["sql"], self.spent["render"]
        self.rows.setdefault(kind, []).append((wall_ms, cpu_ms, sql, sql_cpu, render, render_cpu,
                                               wall_ms - sql - render, cpu_ms - sql_cpu - render_cpu, self.statements))

    def print(self):
        print(f"  {'typed':<14}{'n':>4}{'wall p50':>9}{'p95':>7}{'cpu p50':>8}{'p95':>6} | wall/cpu p50:"
              f"{'sql':>11}{'render':>12}{'rest':>12}{'stmts':>7}")
        for kind, rows in sorted(self.rows.items(), key=lambda item: -len(item[1])):
            c = [list(column) for column in zip(*rows)]
            m = [inproc.median(column) for column in c]
            print(f"  {kind:<14}{len(rows):>4}{m[0]:>9.1f}{inproc.p95(c[0]):>7.1f}{m[1]:>8.1f}{inproc.p95(c[1]):>6.1f} |"
                  f"{'':>13}{m[2]:>5.1f}/{m[3]:<5.1f}{m[4]:>6.1f}/{m[5]:<5.1f}{m[6]:>6.1f}/{m[7]:<5.1f}{m[8]:>5.0f}")


def explain(app, get, text):
    from sqlalchemy import event

    statements = []

    def log(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "person" in statement:
            statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", log)
    get(text)
    event.remove(db.engine, "before_cursor_execute", log)
    print(f"--- {text!r}: {len(statements)} statements on person")
    with db.engine.connect() as conn:
        for statement, params in statements:
            print("  ", " ".join(statement.split())[:300], params if len(str(params)) < 200 else "...")
            if conn.dialect.name == "sqlite":
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
                for row in plan:
                    print("       ", row[-1])
            else:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, params).all()
                for (line,) in plan:
                    print("       ", line)
            t0 = time.perf_counter()
            conn.exec_driver_sql(statement, params).all()
            print(f"        ({(time.perf_counter() - t0) * 1000:.1f} ms)")


if __name__ == "__main__":
    sys.exit(main())
