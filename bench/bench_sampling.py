"""Benchmarks of the campaigns domain (not a test): prints figures.

1. Samples recorded per second through the HTTP endpoint: gunicorn (2 x cores + 1 workers)
   on loopback, clerks signed in with a session and CSRF token, each POST one sample
   (look-up, routing, round, counters, audit), measured against the same server's /healthz.
2. The city coverage dashboard (GET /coverage/ as the health department, htmx fragment)
   with N people and 3N samples, measured against one raw COUNT(*) over the samples.

    .venv/bin/python bench/bench_sampling.py                 # 100,000 people, 300,000 samples
    .venv/bin/python bench/bench_sampling.py --full          # 1,000,000 people, 3,000,000 samples
    DATABASE_URL=postgresql://... .venv/bin/python bench/bench_sampling.py   # on PostgreSQL (empty DB)
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402


def build_app(uri: str):
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = uri
    config.PASSWORD_TIME_COST, config.PASSWORD_MEMORY_COST = 1, 8
    return create_app(config)


def prepare(uri: str, people: int, samples: int) -> dict:
    """Migrate, load the demo, add a round for today, then bulk-insert synthetic people and samples
    with their person states and counters (through coverage.arithmetic, as the portal keeps them)."""
    from flask_migrate import upgrade

    from portal.campaigns import services as campaigns
    from portal.campaigns.models import Round, Site
    from portal.coverage import arithmetic
    from portal.coverage.models import CoverageCounter, PersonStatus
    from portal.demo import loader
    from portal.rosters.models import Person, Roster, RosterKind
    from portal.rosters.sorting import sort_key
    from portal.sampling.models import Sample, Tube
    from portal.text import fold
    from portal.timeutil import local_today
    from portal.units.models import Unit, UnitKind

    app = build_app(uri)
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        loader.load()
        campaign = campaigns.by_name(loader.DEMO_CAMPAIGN)
        today = local_today()
        campaigns.add_round(None, campaign, today - timedelta(days=1), today + timedelta(days=1))
        db.session.commit()
        communes = db.session.scalars(sa.select(Unit).where(Unit.kind == UnitKind.COMMUNE).order_by(Unit.code)).all()
        site = db.session.scalars(sa.select(Site).where(Site.unit_id == communes[0].id, Site.kind == "sampling_point")).first()
        rosters = {}
        for commune in communes:
            roster = db.session.scalars(sa.select(Roster).where(Roster.unit_id == commune.id, Roster.campaign_id == campaign.id,
                                                                Roster.kind == RosterKind.TESTING)).first()
            if roster is None:
                roster = Roster(unit_id=commune.id, campaign_id=campaign.id, kind=RosterKind.TESTING)
                db.session.add(roster)
                db.session.flush()
            rosters[commune.id] = roster.id
        sites = {}
        for commune in communes:
            s = db.session.scalars(sa.select(Site).where(Site.unit_id == commune.id, Site.campaign_id == campaign.id)).first()
            if s is None:
                s = Site(campaign_id=campaign.id, unit_id=commune.id, kind="sampling_point", name=f"Điểm {commune.name}")
                db.session.add(s)
                db.session.flush()
            sites[commune.id] = s.id
        db.session.commit()
        lab_id = campaigns.lab_for(campaign.id, communes[0])
        targets = campaigns.targets_of(campaign.id)
        conn = db.session.connection()
        start_id = (db.session.scalar(sa.select(sa.func.max(Person.id))) or 0) + 1
        names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Hoa"]
        zones = ["lockdown"] * 1 + ["high_risk"] * 2 + ["other"] * 7
        counters: dict = defaultdict(Counter)
        per_sample = samples / max(people, 1)
        t0 = time.perf_counter()
        person_rows, status_rows, sample_rows, tube_rows = [], [], [], []
        tube_id = (db.session.scalar(sa.select(sa.func.max(Tube.id))) or 0) + 1
        sample_count = 0
        rounds = [(r.number, r.starts_on) for r in db.session.scalars(sa.select(Round).where(Round.campaign_id == campaign.id))
                  if r.number <= 3]

        def flush():
            for table, rows in ((Person.__table__, person_rows), (Tube.__table__, tube_rows),
                                (Sample.__table__, sample_rows), (PersonStatus.__table__, status_rows)):
                if rows:
                    conn.execute(table.insert(), rows)
                    rows.clear()

        for i in range(people):
            pid = start_id + i
            commune = communes[i % len(communes)]
            name = names[i % len(names)]
            zone = zones[i % len(zones)]
            person_rows.append(dict(id=pid, roster_id=rosters[commune.id], unit_id=commune.id, campaign_id=campaign.id,
                                    full_name=name, name_folded=fold(name), sort_key=sort_key(name), birth_date=None,
                                    birth_year=1950 + i % 60, sex="male", cccd=f"0019{i:08d}", phone=None,
                                    address="", zone=zone, priority_group=None, prior_doses=0,
                                    created_at=datetime(2021, 9, 1), updated_at=datetime(2021, 9, 1)))
            counters[(commune.id, zone)][arithmetic.head_key("testing", None)] += 1
            n = int(per_sample) + (1 if rng.random() < per_sample - int(per_sample) else 0)
            facts = []
            for k in range(n):
                number, starts_on = rounds[k % len(rounds)]
                day = starts_on + timedelta(days=rng.randint(0, 2))
                result = "negative" if rng.random() < 0.9 else "pending" if rng.random() < 0.9 else "positive"
                if sample_count % 10 == 0:  # one tube per ten samples keeps the build fast; dashboards never read tubes
                    tube_id += 1
                    tube_rows.append(dict(id=tube_id, code=f"B{tube_id:09d}", campaign_id=campaign.id,
                                          site_id=sites[commune.id], unit_id=commune.id, lab_unit_id=lab_id, pooled=True,
                                          capacity=10, size=10, status="resulted", result="negative",
                                          created_at=datetime(2021, 9, 1)))
                taken = datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
                sample_rows.append(dict(tube_id=tube_id, person_id=pid, campaign_id=campaign.id, unit_id=commune.id,
                                        site_id=sites[commune.id], round_number=number, taken_at=taken, taken_on=day,
                                        pooled=False, result=result))
                facts.append(arithmetic.SampleFact(number, day, result, False, taken))
                counters[(commune.id, zone)][f"day:{day.isoformat()}"] += 1
                sample_count += 1
            state = arithmetic.person_state(facts, targets.get(zone))
            if facts:
                status_rows.append(dict(person_id=pid, campaign_id=campaign.id, unit_id=commune.id, zone=zone, priority_group="",
                                        rounds=state.rounds, rounds_on_time=state.rounds_on_time, pending=state.pending,
                                        positive=state.positive, retest=state.retest, doses=0))
                counters[(commune.id, zone)].update(arithmetic.contribution(state, targets.get(zone)))
            if len(sample_rows) >= 20000 or len(person_rows) >= 20000:
                flush()
        flush()
        for (unit_id, zone), values in counters.items():
            for key, value in values.items():
                conn.execute(sa.text("UPDATE coverage_counter SET value = value + :v WHERE campaign_id = :c AND unit_id = :u "
                                     "AND zone = :z AND key = :k"), dict(v=value, c=campaign.id, u=unit_id, z=zone, k=key))
                if not conn.execute(sa.select(CoverageCounter.value).where(
                        CoverageCounter.campaign_id == campaign.id, CoverageCounter.unit_id == unit_id,
                        CoverageCounter.zone == zone, CoverageCounter.key == key)).first():
                    conn.execute(CoverageCounter.__table__.insert(), dict(campaign_id=campaign.id, unit_id=unit_id, zone=zone,
                                                                          key=key, value=value))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"data: {people:,} people and {sample_count:,} samples built in {time.perf_counter() - t0:.0f} s")
        info = dict(site_id=site.id, stride=len(communes), campaign_id=campaign.id)
        db.session.remove()
        db.engine.dispose()
    return info


def bench_dashboard(uri: str, campaign_id: int, repeats: int = 7) -> None:
    from tests.conftest import log_in  # the same fast sign-in as the tests

    app = build_app(uri)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        client = app.test_client()
        log_in(client, "soyte")
        url = f"/coverage/?campaign={campaign_id}"
        client.get(url, headers={"HX-Request": "true"})  # warm
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            response = client.get(url, headers={"HX-Request": "true"})
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
        raw = []
        for _ in range(repeats):
            t = time.perf_counter()
            db.session.execute(sa.text("SELECT COUNT(*) FROM sample")).scalar()
            raw.append(time.perf_counter() - t)
        samples = db.session.execute(sa.text("SELECT COUNT(*) FROM sample")).scalar()
        people = db.session.execute(sa.text("SELECT COUNT(*) FROM person")).scalar()
        print(f"dashboard (city, {people:,} people, {samples:,} samples): median {1000 * statistics.median(times):.0f} ms, "
              f"max {1000 * max(times):.0f} ms per refresh; reference COUNT(*) over samples: "
              f"median {1000 * statistics.median(raw):.0f} ms")
        db.session.remove()
        db.engine.dispose()


def _client(base: str):
    session = requests.Session()
    page = session.get(f"{base}/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    session.post(f"{base}/login", data={"username": "xa1", "password": "demo1234", "csrf_token": token.group(1)})
    return session


def bench_http(uri: str, site_id: int, stride: int, seconds: float, threads: int, workers: int) -> None:
    port = 5600 + os.getpid() % 300
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": uri, "PORTAL_ENV": "bench"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        sessions = [_client(base) for _ in range(threads)]
        tokens = []
        for s in sessions:
            page = s.get(f"{base}/sampling/sites/{site_id}")
            assert page.status_code == 200, page.status_code
            tokens.append(re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1))
        counter = iter(range(10**9))
        errors_seen: list[str] = []
        lock = threading.Lock()

        def run(target, index, stop, results):
            s, token = sessions[index], tokens[index]
            while time.perf_counter() < stop:
                with lock:
                    n = next(counter)
                t = time.perf_counter()
                if target == "record":
                    r = s.post(f"{base}/sampling/sites/{site_id}/record", data={"q": f"0019{n * stride:08d}"},
                               headers={"HX-Request": "true", "X-CSRFToken": token})
                    ok = r.status_code == 200 and "Đã lấy mẫu" in r.text
                    if not ok and not errors_seen:
                        errors_seen.append(f"{r.status_code}: " + re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", r.text))[:300])
                else:
                    r = s.get(f"{base}/healthz")
                    ok = r.status_code == 200
                results.append((time.perf_counter() - t, ok))

        for target in ("healthz", "record"):
            results: list = []
            stop = time.perf_counter() + seconds
            pool = [threading.Thread(target=run, args=(target, i, stop, results)) for i in range(threads)]
            start = time.perf_counter()
            for th in pool:
                th.start()
            for th in pool:
                th.join()
            elapsed = time.perf_counter() - start
            lat = sorted(r[0] for r in results)
            errors = sum(1 for r in results if not r[1])
            p95 = lat[int(0.95 * (len(lat) - 1))] if lat else 0
            label = "samples recorded" if target == "record" else "bare /healthz"
            if errors_seen:
                print("first error:", errors_seen[0])
            print(f"http {label}: {len(results) / elapsed:.0f} req/s over {elapsed:.0f} s, {threads} clients, "
                  f"{workers} gunicorn workers, p95 {1000 * p95:.0f} ms, errors {errors}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="1,000,000 people and 3,000,000 samples")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    people = 1_000_000 if args.full else args.people
    uri = os.environ.get("DATABASE_URL", "")
    tmp = None
    if not uri:
        tmp = tempfile.mkdtemp(prefix="bench_sampling_")
        uri = f"sqlite:///{tmp}/bench.db"
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    info = prepare(uri, people, 3 * people)
    bench_dashboard(uri, info["campaign_id"])
    bench_http(uri, info["site_id"], info["stride"], args.seconds, args.threads, args.workers)
    if tmp:
        for f in Path(tmp).glob("*"):
            f.unlink()
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
