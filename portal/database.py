"""Database behaviour shared by every request: one commit per request, SQLite tuned for
concurrent writers."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


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
