"""Server-side timing in process: the Flask app on the bench database, a test client signed
in as a user (the session the login form would give), each request timed around the WSGI call.
No network and no load generator: what the server spends on one request."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from portal import create_app
from portal.extensions import db


def _fresh_globals(sender, **_):
    """The app context stays open around the test client's requests (so that the bench can
    query): start each request with a clean `g`, as a new request in a server would."""
    from flask import g

    g.__dict__.clear()


@contextmanager
def app_for(world, **overrides):
    from flask import request_started

    app = create_app(world.app_config(**overrides))
    request_started.connect(_fresh_globals, app, weak=False)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def signed_in_client(app, username: str):
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.timeutil import utcnow

    client = app.test_client()
    user = db.session.scalars(select(User).where(User.username == username)).one()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = session["seen_at"] = utcnow().timestamp()
    db.session.remove()
    return client


def timed(call, repeat: int, warmup: int = 1) -> list[float]:
    """Milliseconds of each call after the warm-up ones."""
    for _ in range(warmup):
        call()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def median(values: list[float]) -> float:
    return statistics.median(values)
