"""`make bench`: every figure of the performance issue on SQLite and PostgreSQL.

    python -m bench.run [--scale 1.0] [--db sqlite --db postgresql] [--only http,import,...]

BENCH_SCALE (or --scale) shrinks data sizes and durations for quick runs while developing;
figures from a run with scale < 1 are not comparable with the goals. PostgreSQL runs when
TEST_DATABASE_URL is set (bin/with-postgres, as `make test` does).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

from bench import world as bench_world
from bench.results import Results

ROOT = Path(__file__).resolve().parent.parent
# The dashboard's city data set goes last: it puts a million people on every commune's roster,
# which the printout and search benchmarks must not see.
GROUPS = ("http", "import", "search", "pdf", "dashboard")


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def detect_features() -> SimpleNamespace:
    """Which features of the other issues are on this branch; a missing one is reported as such."""
    from bench import features

    return features.detect()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""), help="comma-separated: " + ",".join(GROUPS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)

    dbs = args.db or (["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"])
    if "postgresql" in dbs and not os.environ.get("TEST_DATABASE_URL"):
        parser.error("PostgreSQL needs TEST_DATABASE_URL (run under bin/with-postgres)")
    groups = [g for g in args.only.split(",") if g] or list(GROUPS)
    features = detect_features()
    started = time.monotonic()
    print(f"Benchmarks: scale {args.scale}, databases {', '.join(dbs)}, groups {', '.join(groups)}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, Python {platform.python_version()}")
    print(f"Features on this branch: {features.summary}")
    results = Results()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        for db in dbs:
            t0 = time.monotonic()
            print(f"== {db}: building the world (Hà Nội's communes from vietnam-provinces, accounts)", flush=True)
            world = bench_world.build_world(db, workdir)
            try:
                for group in groups:
                    print(f"-- {db}: {group}", flush=True)
                    module = __import__(f"bench.bench_{group}", fromlist=["run"])
                    try:
                        module.run(world, results, args.scale, workdir, features)
                    except Exception as exc:  # one broken benchmark must not lose the others' figures
                        traceback.print_exc()
                        results.add(f"{group}_failed", None, "-", None, db, f"benchmark error: {exc!r}"[:300])
                        failures += 1
            finally:
                world.drop()
            print(f"== {db}: {time.monotonic() - t0:.0f} s", flush=True)
    elapsed = time.monotonic() - started
    print()
    print(results.table())
    print()
    print(f"Total {elapsed / 60:.1f} min; load average at the end {os.getloadavg()[0]:.2f} "
          f"(the machine is shared: figures move with it).")
    if args.scale != 1:
        print(f"Scale {args.scale}: sizes and durations reduced; do not compare with the goals.")
    results.save(Path(args.out))
    print(f"Written {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
