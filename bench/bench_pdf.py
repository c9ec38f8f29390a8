"""Roster printout PDF for 1,000 and 10,000 people (pages/s, peak memory), against WeasyPrint
alone on the same HTML; each side in a fresh process (bench/pdf_worker.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import data, inproc, populate
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def worker(mode, world, roster_id) -> dict:
    cmd = [sys.executable, "-m", "bench.pdf_worker", mode, world.url, str(roster_id), world.accounts.secretary]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"pdf worker {mode} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(world, results, scale, workdir, features):
    # 10,000 people is about 600 pages: minutes of WeasyPrint per side on this machine. Its data
    # part is one indexed query, the rest does not depend on the database: run it on PostgreSQL.
    big = os.environ.get("BENCH_PDF_10K", "1") == "1"
    sizes = (1000, 10000) if world.db == "postgresql" and big else (1000,)
    if not features.reports:
        for size in sizes:
            results.missing(f"pdf_roster_{size}_pages_per_s", "pages/s", ">= 10", world.db, "roster printout")
        return
    with inproc.app_for(world):
        from portal.timeutil import local_today
        from portal.units.services import by_code

        rosters = {}
        for i, size in enumerate(sizes):
            people = max(100, int(size * scale))
            code, name = world.communes[-5 - i]
            target = populate.roster(by_code(code).id, world.campaign_id, "testing")
            populate.insert_people(target, data.PeopleFactory(seed=60 + i).people(people, name), local_today())
            rosters[size] = (target.id, people)
        db.session.commit()
    for size, (roster_id, people) in rosters.items():
        portal = worker("portal", world, roster_id)
        ref = worker("reference", world, roster_id)
        rate = portal["pages"] / portal["seconds"]
        results.add(f"pdf_roster_{size}_pages_per_s", rate, "pages/s", ">= 10", world.db,
                    f"{people:,} people, {portal['pages']} pages in {portal['seconds']:.1f} s, "
                    f"{portal['bytes'] / 1e6:.1f} MB")
        results.add(f"pdf_roster_{size}_peak_memory", portal["peak_mb"], "MB", "<= 600", world.db)
        results.add(f"pdf_roster_{size}_weasyprint_alone_s", ref["seconds"], "s", None, world.db,
                    f"limit: WeasyPrint alone on the same HTML, {ref['pages']} pages, peak {ref['peak_mb']:.0f} MB")
        results.add(f"pdf_roster_{size}_overhead", (portal["cpu"] / ref["cpu"] - 1) * 100, "%", "<= 10",
                    world.db, f"portal CPU time over WeasyPrint alone ({portal['cpu']:.1f} s vs {ref['cpu']:.1f} s; "
                              f"wall {portal['seconds']:.1f} s vs {ref['seconds']:.1f} s)")
    if world.db == "sqlite":
        results.add("pdf_roster_10000_pages_per_s", None, "pages/s", ">= 10", world.db,
                    "not run on SQLite (same WeasyPrint work as on PostgreSQL; minutes per side here)")
    elif not big:
        results.add("pdf_roster_10000_pages_per_s", None, "pages/s", ">= 10", world.db,
                    "not run: BENCH_PDF_10K=0 (about 600 pages, over 8 minutes per side on this machine)")
