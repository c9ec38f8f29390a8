"""Database behaviour shared by every request: one commit per request, SQLite tuned for
concurrent writers."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.engine import Engine

from portal.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Transactions are opened by SQLAlchemy (see _sqlite_begin), not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


_intent = threading.local()


@contextmanager
def write_intent():
    """Outside a request (a background job, a command), declare that the transactions opened
    inside will write, so that on SQLite they take the write lock at BEGIN like a POST does."""
    previous = getattr(_intent, "writing", False)
    _intent.writing = True
    try:
        yield
    finally:
        _intent.writing = previous


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """A request that may write takes SQLite's write lock when its transaction starts
    (BEGIN IMMEDIATE), so it waits its turn under the busy timeout. With a deferred BEGIN, a
    transaction that read first and then writes after another writer committed fails at once
    with "database is locked" (the busy timeout cannot help): measured as 500s by `make bench`
    when clerks record samples concurrently. Reads (GET) keep a deferred BEGIN: WAL readers
    never wait."""
    if conn.dialect.name == "sqlite":
        if has_request_context():
            writing = request.method not in ("GET", "HEAD", "OPTIONS")
        else:
            writing = getattr(_intent, "writing", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _finish(response):
    """Services only flush; the request commits once when it succeeded, else rolls back.

    A commit that fails (a constraint hit by a concurrent writer, a database still locked
    after the busy timeout) is rolled back and the same response becomes the Vietnamese 409/503
    page: the security headers already set on it stay."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        code = 409 if isinstance(exc, IntegrityError) else 503
        current_app.logger.warning("commit refused: %s", type(exc.orig).__name__)
        _become_error_page(response, code)
    return response


def _become_error_page(response, code: int) -> None:
    from portal.errors import _page

    body, _ = _page(code)
    response.direct_passthrough = False
    response.set_data(body)
    response.status_code = code
    response.mimetype = "text/html"
    for name in ("Location", "Content-Disposition", "HX-Redirect", "HX-Location", "HX-Trigger", "HX-Refresh"):
        response.headers.pop(name, None)


def _teardown(exc):
    if exc is not None:
        db.session.rollback()


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_teardown)
