"""A request that meets a locked SQLite database runs once more (portal/database.py PortalFlask):
one lock, in the view or at the commit, and the change is made exactly once; two locks give the
Vietnamese 503 page and change nothing; any other database error is never retried.

The locks are injected (an OperationalError carrying sqlite3's own "database is locked"), so the
tests run the same on SQLite and PostgreSQL."""
import io
import logging
import sqlite3
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.admin import services as admin_services
from portal.audit import AuditEvent
from portal.auth.models import User
from portal.database import is_sqlite_lock
from portal.extensions import db
from portal.rosters.models import ImportBatch, Person
from portal.units.services import by_code
from tests.conftest import log_in
from tests.figures import count
from tests.rosters.roster_helpers import roster_of

LOCKED = "database is locked"


def sqlite_error(message: str = LOCKED) -> OperationalError:
    return OperationalError("UPDATE user_account SET full_name=?", {}, sqlite3.OperationalError(message))


@pytest.fixture
def log_lines(app):
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    app.logger.disabled = False
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.DEBUG)
    yield lines
    app.logger.removeHandler(handler)


@pytest.fixture
def failing_commits(app, monkeypatch):
    """`failing_commits(n, message)`: the next n commits made inside a request raise."""
    from flask import has_request_context

    session_class = type(db.session())
    original = session_class.commit
    left = {"n": 0, "message": LOCKED, "calls": 0}

    def commit(self):
        if has_request_context():
            left["calls"] += 1
            if left["n"] > 0:
                left["n"] -= 1
                raise sqlite_error(left["message"])
        return original(self)

    monkeypatch.setattr(session_class, "commit", commit)

    def arm(n: int, message: str = LOCKED):
        left.update(n=n, message=message)
        return left

    return arm


@pytest.fixture
def failing_service(monkeypatch):
    """`failing_service(n, message)`: admin's update_profile raises in the view n times."""
    original = admin_services.update_profile
    state = {"n": 0, "message": LOCKED, "calls": 0}

    def update_profile(*args, **kwargs):
        state["calls"] += 1
        if state["n"] > 0:
            state["n"] -= 1
            raise sqlite_error(state["message"])
        return original(*args, **kwargs)

    monkeypatch.setattr(admin_services, "update_profile", update_profile)

    def arm(n: int, message: str = LOCKED):
        state.update(n=n, message=message)
        return state

    return arm


def _rename(client, user_id: int, name: str):
    return client.post(f"/admin/users/{user_id}", data={"full_name": name})


def _changes(user_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "update_user", AuditEvent.object_id == str(user_id)))


def _target():
    return db.session.scalars(select(User).where(User.username == "xa2")).one()


def test_only_sqlite_lock_errors_count_as_locks():
    assert is_sqlite_lock(sqlite_error("database is locked"))
    assert is_sqlite_lock(sqlite_error("Database is busy"))
    assert not is_sqlite_lock(sqlite_error("no such table: person"))
    assert not is_sqlite_lock(sqlite_error("disk I/O error"))
    assert not is_sqlite_lock(OperationalError("SELECT 1", {}, RuntimeError("database is locked")))  # not SQLite
    assert not is_sqlite_lock(RuntimeError("database is locked"))


@pytest.mark.parametrize("where", ["commit", "view"])
def test_one_lock_is_retried_and_the_change_is_made_once(login_as, failing_commits, failing_service, log_lines,
                                                         where):
    client = login_as("admin")
    target = _target()
    before = _changes(target.id)
    state = failing_commits(1) if where == "commit" else failing_service(1)
    response = _rename(client, target.id, "Tên Sau Khi Thử Lại")
    count("faults_injected")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert state["n"] == 0 and state["calls"] == 2
    assert _changes(target.id) == before + 1
    assert db.session.get(User, target.id).full_name == "Tên Sau Khi Thử Lại"
    assert any("database locked" in line and "runs once more" in line for line in log_lines)
    # The flashed message of the first attempt was dropped with it: shown once.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Đã lưu.") == 1


@pytest.mark.parametrize("where", ["commit", "view"])
def test_two_locks_give_the_503_page_and_change_nothing(login_as, failing_commits, failing_service, where):
    client = login_as("admin")
    target = _target()
    name, before = target.full_name, _changes(target.id)
    state = failing_commits(2) if where == "commit" else failing_service(2)
    response = _rename(client, target.id, "Không Được Lưu")
    count("faults_injected", 2)
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Hệ thống đang bận" in text and "Thao tác chưa được lưu" in text
    assert "Location" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert state["calls"] == 2
    assert _changes(target.id) == before
    assert db.session.get(User, target.id).full_name == name
    count("lost_writes", 0)


def test_other_database_errors_are_not_retried(login_as, failing_commits, failing_service):
    client = login_as("admin")
    target = _target()
    name = target.full_name
    state = failing_service(1, "no such column: full_name")
    response = _rename(client, target.id, "Không Thử Lại")
    count("faults_injected")
    assert response.status_code == 500 and state["calls"] == 1
    assert "Lỗi hệ thống" in response.get_data(as_text=True)
    failing_service(0)
    state = failing_commits(1, "disk I/O error")
    response = _rename(client, target.id, "Không Thử Lại")
    count("faults_injected")
    assert response.status_code == 503 and state["calls"] == 1
    assert db.session.get(User, target.id).full_name == name


def test_an_upload_is_read_again_on_the_retry(login_as, failing_commits):
    """The file stream of the first attempt was read to its end: the retry reads it from the start."""
    client = login_as("xa1")
    roster = roster_of()
    batches = db.session.scalar(select(func.count()).select_from(ImportBatch))
    state = failing_commits(1)
    content = "ho va ten,ngay sinh,gioi tinh,so cccd\nĐinh Văn Lộc,01/01/1960,Nam,001060777222\n".encode()
    response = client.post(f"/rosters/{roster.id}/import", data={"file": (io.BytesIO(content), "ds.csv")},
                           content_type="multipart/form-data")
    count("faults_injected")
    assert response.status_code == 303 and state["calls"] == 2
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == batches + 1
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (batch.accepted, batch.rejected) == (1, 0)


def test_audited_readings_during_concurrent_writes_all_succeed(app):
    """Real locks, no injection: a person's page is a GET that writes its audit entry. On SQLite its
    read snapshot goes stale while writers commit, and the write of the entry fails at once
    ("database is locked", no busy wait); the retry takes the write lock at BEGIN and queues."""
    people = [(p.roster_id, p.id) for p in db.session.scalars(
        select(Person).where(Person.unit_id == by_code("00001").id).order_by(Person.id).limit(15))]
    ids = {u.username: u.id for u in db.session.scalars(select(User))}
    views_before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.view"))
    db.session.commit()
    readers, writers = [], []
    for _ in range(3):
        readers.append(app.test_client())
        log_in(readers[-1], "xa1")
    for _ in range(2):
        writers.append(app.test_client())
        log_in(writers[-1], "admin")
    db.session.remove()
    statuses, errors = Counter(), []
    start = threading.Barrier(len(readers) + len(writers))

    def read(client):
        start.wait()
        for roster_id, person_id in people:
            statuses["read", client.get(f"/rosters/{roster_id}/people/{person_id}").status_code] += 1

    def write(client, target):
        start.wait()
        for i in range(15):
            statuses["write", _rename(client, ids[target], f"Tên Ghi Đồng Thời {i}").status_code] += 1

    def guarded(work, *args):
        try:
            work(*args)
        except Exception as exc:  # noqa: BLE001 - a locked database must not escape
            errors.append(repr(exc))

    threads = [threading.Thread(target=guarded, args=(read, c)) for c in readers]
    threads += [threading.Thread(target=guarded, args=(write, c, t)) for c, t in zip(writers, ("xa2", "quan"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count("concurrent_writes", sum(statuses.values()))
    count("server_errors", sum(n for (_, status), n in statuses.items() if status >= 500))
    assert errors == []
    assert statuses == Counter({("read", 200): 3 * len(people), ("write", 302): 30}), statuses
    views = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.view"))
    lost = 3 * len(people) - (views - views_before)
    count("lost_writes", max(lost, 0))
    assert lost == 0
