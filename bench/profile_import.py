"""The roster import, for a developer: the same file as bench/bench_import.py, imported through
rosters.imports.import_file in this process under cProfile, then rolled back (so it can be run
again). Prints wall and process (CPU) time, statement counts and the profile's top items.
Not part of `make bench`.

    .venv/bin/python -m bench.profile_import --rows 20000
    bin/with-postgres .venv/bin/python -m bench.profile_import --db postgresql"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench import bench_import, inproc, populate, world as bench_world
from portal.extensions import db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--clock", default="cpu", choices=("cpu", "wall"),
                        help="profile in process time (this process's work) or wall time (waits on the database too)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pimport-") as tmp:
        world = bench_world.build_world(args.db, Path(tmp), clerks=1)
        try:
            code, name = world.communes[-1]
            file = Path(tmp) / "roster.xlsx"
            bench_import.make_file(file, args.rows, name)
            data = file.read_bytes()
            with inproc.app_for(world, ROSTER_IMPORT_MAX_ROWS=args.rows + 10,
                                ROSTER_IMPORT_MAX_BYTES=50 * 1024 * 1024):
                from portal.rosters import imports
                from portal.units.services import by_code

                roster = populate.roster(by_code(code).id, world.campaign_id, "testing")
                db.session.commit()
                statements = []
                event.listen(db.engine, "before_cursor_execute",
                             lambda conn, cursor, statement, *rest: statements.append(statement))
                profile = cProfile.Profile(time.process_time if args.clock == "cpu" else time.perf_counter)
                t0, c0 = time.perf_counter(), time.process_time()
                profile.enable()
                analysis = imports.import_file(None, roster, file.name, data)
                db.session.flush()
                profile.disable()
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                db.session.rollback()
                rows = len(analysis.accepted) + len(analysis.rejected)
                print(f"{args.db}, profiled in {args.clock} time: {rows:,} rows in {seconds:.2f} s wall, {cpu:.2f} s CPU under cProfile "
                      f"({rows / seconds:,.0f} rows/s); {len(statements)} statements; "
                      f"accepted {len(analysis.accepted):,}, rejected {len(analysis.rejected):,}")
                pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
        finally:
            world.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
