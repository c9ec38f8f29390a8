"""Database behaviour shared by every request: one commit per request, SQLite tuned for
concurrent writers."""
from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
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


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """A request that may write takes SQLite's write lock when its transaction starts
    (BEGIN IMMEDIATE), so it waits its turn under the busy timeout. With a deferred BEGIN, a
    transaction that read first and then writes after another writer committed fails at once
    with "database is locked" (the busy timeout cannot help): measured as 500s by `make bench`
    when clerks record samples concurrently. Reads (GET) keep a deferred BEGIN: WAL readers
    never wait."""
    if conn.dialect.name == "sqlite":
        writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _finish(response):
    """Services only flush; the request commits once when it succeeded, else rolls back."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _teardown(exc):
    if exc is not None:
        db.session.rollback()


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_teardown)
