"""Shared fixtures in the flaskr style: app, client, runner, login_as, factories.

Each test gets its own database, copied from a template that the migrations built once
(and that already holds the demo data), on SQLite or, when TEST_DATABASE_URL is set,
on PostgreSQL (CREATE DATABASE ... TEMPLATE)."""
from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
DEMO_PASSWORD = "demo1234"
_counter = itertools.count()


def make_config(database_uri: str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_uri
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _migrate_and_seed(uri: str, with_demo: bool) -> None:
    from flask_migrate import upgrade

    app = create_app(make_config(uri))
    with app.app_context():
        upgrade()
        if with_demo:
            from portal.demo import loader

            loader.load()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Databases:
    """Creates a fresh database per test from a migrated template."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.templates: dict[bool, str] = {}

    def template(self, with_demo: bool) -> str:
        if with_demo not in self.templates:
            name = f"tpl_{'demo' if with_demo else 'empty'}_{uuid.uuid4().hex[:8]}"
            if PG_URL:
                self._pg_exec(f'CREATE DATABASE "{name}"')
                _migrate_and_seed(self._pg_uri(name), with_demo)
            else:
                _migrate_and_seed(f"sqlite:///{self.tmp / (name + '.db')}", with_demo)
            self.templates[with_demo] = name
        return self.templates[with_demo]

    def create(self, with_demo: bool = True) -> str:
        template = self.template(with_demo)
        name = f"t{next(_counter)}_{uuid.uuid4().hex[:6]}"
        if PG_URL:
            self._pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return self._pg_uri(name)
        shutil.copy(self.tmp / f"{template}.db", self.tmp / f"{name}.db")
        return f"sqlite:///{self.tmp / (name + '.db')}"

    def drop(self, uri: str) -> None:
        if PG_URL:
            name = uri.rsplit("/", 1)[1]
            self._pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = Path(uri.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

    @staticmethod
    def _pg_uri(name: str) -> str:
        return PG_URL.rsplit("/", 1)[0] + "/" + name

    @staticmethod
    def _pg_exec(sql: str) -> None:
        engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
        engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Databases:
    return Databases(tmp_path_factory.mktemp("db"))


def _fresh_globals(sender, **_):
    """The fixtures keep an app context open so tests can query the database; Flask then
    reuses it for every test-client request, and `g` (Flask-Login's cached user, the CSRF
    token) would leak from one request, or one client, to the next. Start each request clean."""
    from flask import g

    g.__dict__.clear()


def _build_app(databases: Databases, with_demo: bool, **overrides):
    from flask import request_started

    uri = databases.create(with_demo)
    app = create_app(make_config(uri, **overrides))
    request_started.connect(_fresh_globals, app, weak=False)
    return app, uri


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings: return a dict of config values."""
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def app(databases, app_config):
    """The app with the demo data loaded."""
    app, uri = _build_app(databases, True, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


@pytest.fixture
def empty_app(databases, app_config):
    """The app on a migrated but empty database."""
    app, uri = _build_app(databases, False, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def log_in(client, username: str) -> None:
    """Sign a test client in as `username` without the login form (fast, no throttling)."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.timeutil import utcnow

    user = db.session.scalars(select(User).where(User.username == username)).one()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = session["seen_at"] = utcnow().timestamp()


def post_at_once(app, username: str, writers: int, each: int, post) -> tuple[list[int], list[str]]:
    """`writers` clients signed in as `username` start together (a barrier, one thread each) and
    each sends `each` requests, `post(client, writer, i)` returning the response. Returns the
    status codes and the exceptions that escaped (as text)."""
    import threading

    db.session.commit()
    db.session.remove()
    clients = []
    for _ in range(writers):
        client = app.test_client()
        log_in(client, username)
        clients.append(client)
    db.session.remove()
    statuses, errors = [], []
    start = threading.Barrier(writers)

    def work(n):
        start.wait()
        try:
            for i in range(each):
                statuses.append(post(clients[n], n, i).status_code)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, errors


@pytest.fixture
def login_as(client):
    def _login(username: str):
        log_in(client, username)
        return client

    return _login


@pytest.fixture
def user_factory(app):
    """Create an account with grants: user_factory("ten", [(Role.X, "UNITCODE"), ...])."""
    from portal.admin import services
    from portal.units.services import by_code

    def _make(username: str, grants=(), password: str = DEMO_PASSWORD, full_name: str = "Người Dùng Thử"):
        user = services.create_user(None, username, full_name, password)
        for role, code in grants:
            services.add_grant(None, user, role, by_code(code))
        db.session.commit()
        return user

    return _make


@pytest.fixture
def unit_factory(app):
    from portal.units import services
    from portal.units.models import UnitKind

    def _make(code: str, name: str, kind: UnitKind, parent_code: str | None = None):
        parent = services.by_code(parent_code) if parent_code else None
        unit, _ = services.upsert_unit(code, name, kind, parent)
        db.session.commit()
        return unit

    return _make


def pytest_terminal_summary(terminalreporter):
    """Print the security figures (docs/SECURITY.md quotes them)."""
    from tests.figures import FIGURES, LABELS

    if not FIGURES:
        return
    terminalreporter.section("security figures")
    for key, label in LABELS.items():
        terminalreporter.write_line(f"{label}: {FIGURES.get(key, 0)}")


def pytest_sessionfinish(session):
    """Under pytest-xdist each worker hands its security figures to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.figures import FIGURES

        workeroutput["security_figures"] = dict(FIGURES)


def pytest_testnodedown(node, error):
    from tests.figures import FIGURES

    FIGURES.update(getattr(node, "workeroutput", {}).get("security_figures", {}))
