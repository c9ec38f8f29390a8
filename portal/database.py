"""Database behaviour shared by every request: one commit per request, SQLite tuned for
concurrent writers."""
from __future__ import annotations

import copy
import sqlite3
import threading
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from flask.globals import request_ctx
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
RETRIED = "portal.retried"  # request.environ key: this request is on its second attempt (PortalFlask)


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
            # A retried request (see PortalFlask) proved that it writes, whatever its method (a
            # GET that audits a reading): it queues for the lock instead of failing again.
            writing = request.method not in ("GET", "HEAD", "OPTIONS") or request.environ.get(RETRIED, False)
        else:
            writing = getattr(_intent, "writing", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


# --- one retry of a request that met a locked SQLite database -------------------------------

SQLITE_LOCK_MESSAGES = ("database is locked", "database is busy", "database table is locked")


def is_sqlite_lock(exc: BaseException) -> bool:
    """SQLite gave up waiting for another writer (after the busy timeout): worth one more try.
    Any other error (a constraint, a missing table, a full disk) is not."""
    return (isinstance(exc, OperationalError) and isinstance(exc.orig, sqlite3.OperationalError)
            and any(message in str(exc.orig).lower() for message in SQLITE_LOCK_MESSAGES))


class RetryRequest(Exception):
    """Raised on the first attempt of a request that met a SQLite lock, in the view or at the
    commit; PortalFlask.full_dispatch_request catches it and runs the request once more."""


def retry_if_locked(exc: BaseException) -> None:
    """Ask for the one retry when `exc` is a SQLite lock met on the first attempt; otherwise
    return, and the caller answers as usual (the 503 page for a lock on the second attempt)."""
    if is_sqlite_lock(exc) and not request.environ.get(RETRIED):
        raise RetryRequest() from exc


class PortalFlask(Flask):
    """The portal's application class: a request whose transaction met a locked SQLite database
    (two workers writing at once beyond the busy timeout, or a read turned write on a stale
    snapshot) runs once more from the start: on a rolled-back session, with the cookie session,
    `g` and the flashed messages as they were when it arrived, and its uploads rewound (form and
    files are parsed once and cached by Werkzeug). The retry takes SQLite's write lock at BEGIN
    whatever its method (_sqlite_begin), so it waits its turn under the busy timeout instead of
    failing again. A second lock gives the Vietnamese 503 page (errors.database_busy in the
    view, _finish at the commit), nothing written."""

    def full_dispatch_request(self):
        # Plain dict copies: reading the session through its own methods would mark it accessed
        # and add `Vary: Cookie` to every response.
        arrived_session = copy.deepcopy(dict.copy(request_ctx.session))
        arrived_g = dict(g.__dict__)
        try:
            return super().full_dispatch_request()
        except RetryRequest as exc:
            db.session.rollback()
            self.logger.warning("database locked (%s): %s %s runs once more",
                                exc.__cause__.orig, request.method, request.endpoint)
        request.environ[RETRIED] = True
        if not self.session_interface.is_null_session(request_ctx.session):
            request_ctx.session.clear()
            request_ctx.session.update(arrived_session)
        request_ctx.flashes = None
        g.__dict__.clear()
        g.__dict__.update(arrived_g)
        parsed_files = request.__dict__.get("files")  # cached by Werkzeug if the first attempt read them
        for _name, uploads in (parsed_files.lists() if parsed_files is not None else ()):
            for upload in uploads:
                upload.stream.seek(0)
        return super().full_dispatch_request()


def _finish(response):
    """Services only flush; the request commits once when it succeeded, else rolls back.

    A commit that fails (a constraint hit by a concurrent writer, a database still locked
    after the busy timeout and the one retry) is rolled back and the same response becomes the
    Vietnamese 409/503 page: the security headers already set on it stay."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        retry_if_locked(exc)
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
