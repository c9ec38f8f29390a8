"""Benchmark of the official reports (not a test): prints figures for the README.

    .venv/bin/python bench/bench_reports.py [--sizes 1000,10000] [--communes 579]

Builds a throwaway SQLite database (migrations + demo data), then measures:
- the roster printout of 1,000 and 10,000 people;
- a city testing report over `--communes` synthetic communes (Hà Nội had 579 in 2021);
each through the portal's whole path (gather the snapshot, render the template, WeasyPrint, store)
and, for comparison, WeasyPrint rendering the very same HTML alone. The difference is the portal's
overhead. Seconds are wall-clock on this machine; pages/s = pages / seconds."""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(uri: str):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import TestConfig
    from portal.demo import loader
    from portal.extensions import db

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = uri
    app = create_app(config)
    ctx = app.app_context()
    ctx.push()
    upgrade()
    loader.load()
    db.session.commit()
    return app


def _roster(unit_code: str, size: int):
    from tests.reports.report_helpers import make_roster

    return make_roster(unit_code, size, seed=size)


def _city(communes: int, rng: random.Random):
    """`communes` synthetic communes in 30 districts, each with a testing roster head count and
    coverage counters, so that the city report has a row per commune."""
    from sqlalchemy import insert, select

    from portal.campaigns.models import Campaign
    from portal.coverage.models import CoverageCounter
    from portal.demo.loader import DEMO_CAMPAIGN
    from portal.extensions import db
    from portal.rosters.models import Person, Roster, RosterKind
    from portal.rosters.sorting import sort_key
    from portal.units.models import UnitKind
    from portal.units.services import by_code, upsert_unit

    campaign = db.session.scalars(select(Campaign).where(Campaign.name == DEMO_CAMPAIGN)).one()
    city = by_code("01")
    districts = [upsert_unit(f"B{d:03d}", f"Quận Thử {d + 1}", UnitKind.DISTRICT, city)[0] for d in range(30)]
    db.session.flush()
    counters, people = [], []
    for i in range(communes):
        unit, _ = upsert_unit(f"B{i:05d}", f"Phường Thử Nghiệm {i + 1}", UnitKind.COMMUNE, districts[i % 30])
        db.session.flush()
        roster = Roster(unit_id=unit.id, campaign_id=campaign.id, kind=RosterKind.TESTING)
        db.session.add(roster)
        db.session.flush()
        size = rng.randint(5, 20)
        for j in range(size):
            people.append({"roster_id": roster.id, "unit_id": unit.id, "campaign_id": campaign.id,
                           "full_name": f"Nguyễn Văn An {j}", "name_folded": "nguyen van an", "sort_key": sort_key("Nguyễn Văn An"),
                           "birth_year": 1980, "sex": "male", "address": "", "zone": "other", "prior_doses": 0})
        met = rng.randint(0, size)
        for key, value in (("people", size), ("round:1", met), ("sampled", met), ("met", met),
                           ("pending", rng.randint(0, 3))):
            counters.append({"campaign_id": campaign.id, "unit_id": unit.id, "zone": "other", "key": key, "value": value})
    db.session.execute(insert(Person), people)
    db.session.execute(insert(CoverageCounter), counters)
    db.session.commit()
    return campaign


def _measure(kind, params):
    """Wall and CPU seconds of the portal's path and of WeasyPrint alone, and the page count.
    CPU seconds (this process only) are the fairer comparison on a machine shared with other work."""
    from weasyprint import CSS, HTML

    from portal.extensions import db
    from portal.reports import services
    from portal.reports.rendering import PRINT_CSS, pdf_stylesheet_text, render_html
    from portal.units.services import by_code

    issuer = by_code("SYT")
    started, cpu = time.perf_counter(), time.process_time()
    job = services.produce_now(None, kind, params, issue=False, issuer=issuer)
    db.session.commit()
    portal = (time.perf_counter() - started, time.process_time() - cpu)

    snapshot = services.gather(kind, params)
    html = render_html(kind.value, services.document(kind, issuer, params, snapshot, None), snapshot)
    stylesheet = CSS(string=pdf_stylesheet_text(), base_url=str(PRINT_CSS.parent))
    started, cpu = time.perf_counter(), time.process_time()
    HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(stylesheets=[stylesheet])
    weasy = (time.perf_counter() - started, time.process_time() - cpu)
    return portal, weasy, job.page_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="roster sizes, comma-separated")
    parser.add_argument("--communes", type=int, default=579, help="communes in the city testing report")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.reports import services
    from portal.reports.models import ReportKind
    from portal.rosters.models import Person
    from portal.units.services import by_code

    with tempfile.TemporaryDirectory() as tmp:
        _setup(f"sqlite:///{tmp}/bench.db")
        rng = random.Random(2021)
        cases = []
        defaults = services.default_document_fields(by_code("SYT"))
        document = {**defaults, "signer_name": "Nguyễn Văn Bình", "signed_on": date(2021, 9, 5).isoformat()}
        for size, code in zip([int(s) for s in args.sizes.split(",") if s], ("00006", "00007", "00037")):
            roster = _roster(code, size)
            count = db.session.scalar(select(func.count(Person.id)).where(Person.roster_id == roster.id))
            cases.append((f"Roster printout, {count:,} people", ReportKind.ROSTER,
                          {"subject_unit_id": roster.unit_id, "roster_id": roster.id, "site_id": None, **document}))
        campaign = _city(args.communes, rng)
        cases.append((f"City testing report, {args.communes + 7} communes", ReportKind.TESTING,
                      {"subject_unit_id": by_code("01").id, "campaign_id": campaign.id, "date_from": None,
                       "date_to": None, **document}))

        print("| report | pages | portal s (wall / CPU) | pages/s (CPU) | WeasyPrint alone s (wall / CPU) | overhead (CPU) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, kind, params in cases:
            (portal_wall, portal_cpu), (weasy_wall, weasy_cpu), pages = _measure(kind, params)
            overhead = 100.0 * (portal_cpu - weasy_cpu) / weasy_cpu
            print(f"| {label} | {pages} | {portal_wall:.1f} / {portal_cpu:.1f} | {pages / portal_cpu:.2f} | "
                  f"{weasy_wall:.1f} / {weasy_cpu:.1f} | {overhead:+.1f}% |", flush=True)


if __name__ == "__main__":
    main()
