"""HTTP figures: sample recording under load, the mixed load of 400 simulated users, and the
bare "return OK" of the same server as the reference."""
from __future__ import annotations

from pathlib import Path

from bench import http, world as bench_world
from bench.results import Results


def run(world: bench_world.World, results: Results, scale: float, workdir: Path, features) -> None:
    db = world.db
    seconds = max(5, round(120 * scale))          # the issue asks for 2 minutes sustained
    ref_seconds = max(5, round(30 * scale))
    mixed_seconds = max(5, round(60 * scale))
    log = workdir / f"gunicorn-{db}.log"
    with http.gunicorn(bench_world.server_env(world), log=log) as (base, log):
        clerks = [http.login(base, u, bench_world.PASSWORD) for u, _ in world.accounts.clerks]
        office = http.login(base, world.accounts.office, bench_world.PASSWORD)
        health = http.login(base, world.accounts.health_head, bench_world.PASSWORD)

        # Reference: the same server's bare endpoint, no session, flood of 8 connections.
        bare = http.wrk(base, [http.request("GET", "/_bench/ok")], duration=ref_seconds, connections=8, log=log)
        results.add("http_bare_ok_rps", bare.rps, "req/s", None, db, f"limit: bare OK endpoint, {bare.summary}")

        # An authenticated page (session, user and grants loaded, template rendered): always measurable.
        home = http.wrk(base, [http.request("GET", "/", s) for s in clerks], duration=ref_seconds, connections=8, log=log)
        results.add("http_home_page_rps", home.rps, "req/s", None, db, f"clerk home page; {home.summary}")
        results.add("http_home_page_ratio_to_bare", home.rps / bare.rps, "ratio", None, db)

        if features.sampling:
            reqs = features.sampling.requests(world, base, clerks, scale)
            rec = http.wrk(base, reqs, duration=seconds, connections=8, log=log)
            results.add("http_sample_recording_rps", rec.rps, "req/s", ">= 300", db, rec.summary)
            results.add("http_sample_recording_p95", rec.p95_ms, "ms", "<= 150", db)
            results.add("http_sample_recording_errors", rec.errors + rec.locked, "count", "== 0", db)
            results.add("http_sample_recording_ratio_to_bare", rec.rps / bare.rps, "ratio", ">= 0.25", db)
        else:
            for name, unit, goal in (("http_sample_recording_rps", "req/s", ">= 300"),
                                     ("http_sample_recording_p95", "ms", "<= 150"),
                                     ("http_sample_recording_errors", "count", "== 0"),
                                     ("http_sample_recording_ratio_to_bare", "ratio", ">= 0.25")):
                results.missing(name, unit, goal, db, "sample recording endpoint")

        # Mixed load: 400 connections, each a user with think time; clerks record samples,
        # officers watch dashboards, heads read task lists (what exists on this branch).
        mix, missing = mixed_requests(world, features, clerks, office, health, scale)
        users = 400
        # Think time 2-8 s between requests per user: a clerk at a queue, a dashboard that polls.
        res = http.wrk(base, mix, duration=mixed_seconds, connections=users, threads=2, think_ms=(2000, 8000), log=log,
                       timeout_s=10)
        note = res.summary + (f"; missing from the mix: {', '.join(missing)}" if missing else "")
        results.add("mixed_400_users_p95", res.p95_ms, "ms", "<= 300", db, note)
        results.add("mixed_400_users_errors", res.errors, "count", "== 0", db)
        results.add("mixed_400_users_db_locked", res.locked, "count", "== 0", db)
        results.add("mixed_400_users_rps", res.rps, "req/s", None, db)

    cpu = cpu_per_request(world, features, scale)
    results.add("cpu_ms_per_request_bare", cpu["bare"], "ms", None, db, "in process, app CPU time (process_time)")
    results.add("cpu_ms_per_request_home", cpu["home"], "ms", None, db, "in process, clerk home page")
    if "record" in cpu:
        results.add("cpu_ms_per_sample_recording", cpu["record"], "ms", None, db,
                    f"in process, app CPU only (PostgreSQL's own CPU not included); "
                    f"{2000 / cpu['record']:.0f} req/s on 2 cores at best")


def mixed_requests(world, features, clerks, office, health, scale):
    """The request list of the mixed load, weighted by role; what a branch lacks is named."""
    mix, missing = [], []
    if features.sampling:
        mix += features.sampling.requests(world, None, clerks, scale, reverse=True)[:4000]
    else:
        missing.append("sample recording")
        mix += [http.request("GET", "/", s) for s in clerks]  # clerks at least open their home page
    if features.coverage:
        mix += features.coverage.requests(world, office, health) * 150
    else:
        missing.append("dashboards")
        mix += [http.request("GET", "/", office), http.request("GET", "/", health)] * 5
    if features.directives:
        mix += features.directives.requests(world, office, health) * 100
    else:
        missing.append("task lists")
    return mix, missing


def cpu_per_request(world, features, scale) -> dict:
    """CPU milliseconds the app process spends on one request (in process, no network), which
    the machine's other load hardly changes: the base of the capacity plan. A second clerk's
    people are used (the load runs above recorded the first ones)."""
    import time

    from bench import inproc
    from bench.http import _token
    from portal.extensions import db

    out = {}
    with inproc.app_for(world) as app:
        username, code = world.accounts.clerks[-1]
        client = inproc.signed_in_client(app, username)
        ok = app.test_client()

        def cpu_ms(call, n):
            call()
            c0 = time.process_time()
            for _ in range(n):
                call()
            return (time.process_time() - c0) * 1000 / n

        from portal.permissions import public

        app.add_url_rule("/_bench/ok", "bench_ok", public(lambda: "OK"))  # as bench/wsgi_bench.py
        out["bare"] = cpu_ms(lambda: ok.get("/_bench/ok"), 200)
        out["home"] = cpu_ms(lambda: (client.get("/"), db.session.remove()), 50)
        if features.sampling:
            people = features.sampling.prepare(world, scale)[code]
            people = people[len(people) // 2:]  # the load runs took the first and the last ones
            site = world.sites[code]
            page = client.get(f"/sampling/sites/{site}").get_data(as_text=True)
            token = _token(page)
            db.session.remove()
            it = iter(people)

            def record():
                response = client.post(f"/sampling/sites/{site}/record", data={"q": next(it)},
                                       headers={"HX-Request": "true", "X-CSRFToken": token})
                assert response.status_code == 200, response.status_code
                db.session.remove()

            out["record"] = cpu_ms(record, min(100, len(people) - 1))
    return out
