"""Roster benchmark: import of a 100,000-row .xlsx (rows/s) and search latency on a
50,000-person commune (p50/p95). Not a test: it prints figures.

    .venv/bin/python bench/bench_rosters.py                 # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/bench_rosters.py   # an EMPTY PostgreSQL database
Options: --rows 100000 --search-people 50000 --queries 300
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter  # noqa: E402


def make_xlsx(rows: int, seed: int, lanes_code: str = "00006") -> tuple[bytes, list[dict]]:
    from portal.rosters.demo import _lanes, _Residents

    rng = random.Random(seed)
    residents = _Residents(rng)
    lanes = _lanes(rng, lanes_code)
    people = [residents.person(lanes_code, lanes) for _ in range(rows)]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_string(0, 0, "DANH SÁCH NGƯỜI DÂN LẤY MẪU XÉT NGHIỆM")
    sheet.write_row(2, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Địa chỉ", "Khu vực"])
    for i, p in enumerate(people):
        sheet.write_row(3 + i, 0, [str(i + 1), p["full_name"], p["birth"], "Nam" if p["sex"] == "male" else "Nữ",
                                   p["cccd"], p["phone"], p["address"], p["zone"]])
    book.close()
    return buffer.getvalue(), people


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--search-people", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-rosters-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PORTAL_UPLOAD_DIR", f"{tmp}/uploads")

    from flask_migrate import upgrade

    from portal import create_app
    from portal.campaigns.models import Campaign, CampaignKind
    from portal.config import Config
    from portal.demo import loader
    from portal.extensions import db
    from portal.rosters import services
    from portal.rosters.models import RosterKind
    from portal.units.services import by_code

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url if not url.startswith("postgres://") else url
        PASSWORD_TIME_COST = 1
        PASSWORD_MEMORY_COST = 8
        WTF_CSRF_ENABLED = False
        ROSTER_IMPORT_MAX_BYTES = 50 * 1024 * 1024

    app = create_app(BenchConfig)
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        upgrade()
        loader.load()
        campaign = Campaign(name="Bench 2021", kind=CampaignKind.BOTH, unit=by_code("01"),
                            starts_on=date(2021, 9, 1), ends_on=date(2021, 9, 30))
        db.session.add(campaign)
        db.session.commit()

        # 1. import of a big file: read + validate + duplicate checks + bulk insert + commit
        started = time.perf_counter()
        data, _ = make_xlsx(args.rows, seed=1)
        print(f"generated {args.rows:,} rows .xlsx ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        roster = services.get_or_create_roster(None, by_code("00006"), campaign, RosterKind.TESTING)
        started = time.perf_counter()
        analysis = services.import_file(None, roster, "bench.xlsx", data)
        db.session.commit()
        elapsed = time.perf_counter() - started
        print(f"import: accepted={len(analysis.accepted):,} rejected={len(analysis.rejected):,} "
              f"warnings={analysis.warned:,} in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s")

        # 2. a 50,000-person commune, then searches as a clerk types them
        data, people = make_xlsx(args.search_people, seed=2, lanes_code="00007")
        commune = services.get_or_create_roster(None, by_code("00007"), campaign, RosterKind.TESTING)
        started = time.perf_counter()
        services.import_file(None, commune, "bench2.xlsx", data)
        db.session.commit()
        print(f"second import: {args.search_people:,} rows in {time.perf_counter() - started:.1f} s")
        from portal.text import fold

        rng = random.Random(3)
        queries = []
        for _ in range(args.queries):
            p = rng.choice(people)
            kind = rng.random()
            if kind < 0.35:
                queries.append((fold(p["full_name"]), None))                 # whole name without diacritics
            elif kind < 0.55:
                queries.append((fold(p["full_name"]).split()[-1], None))     # the given name only: many hits
            elif kind < 0.65:
                queries.append((p["full_name"].upper(), None))
            elif kind < 0.8 and p["cccd"]:
                queries.append((p["cccd"][:8], None))                        # a CCCD prefix
            elif kind < 0.9 and p["phone"]:
                queries.append((p["phone"], None))
            else:
                queries.append(("nguyen thi", rng.choice(["lockdown", "high_risk", None])))
        timings = []
        for query, zone in queries:
            started = time.perf_counter()
            result = services.search_people(None, commune, query, zone=zone)
            timings.append((time.perf_counter() - started) * 1000)
            assert result.total >= 0
        print(f"search (service, {len(timings)} queries on {args.search_people:,} people): "
              f"p50={statistics.median(timings):.1f} ms p95={percentile(timings, 0.95):.1f} ms "
              f"max={max(timings):.1f} ms")

        # the same through HTTP, as the htmx search box asks for it
        client = app.test_client()
        from tests.conftest import log_in

        from portal.auth.models import Role
        from portal.admin import services as admin_services

        user = admin_services.create_user(None, "benchclerk", "Bench", "demo12345678")
        admin_services.add_grant(None, user, Role.COMMUNE_CLERK, by_code("00007"))
        db.session.commit()
        log_in(client, "benchclerk")
        http = []
        for query, zone in queries:
            started = time.perf_counter()
            response = client.get(f"/rosters/{commune.id}", query_string={"q": query, "zone": zone or ""},
                                  headers={"HX-Request": "true"})
            http.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(f"search (HTTP fragment, 50 rows rendered): p50={statistics.median(http):.1f} ms "
              f"p95={percentile(http, 0.95):.1f} ms")
        db.session.remove()


if __name__ == "__main__":
    main()
