"""Several workers writing at once: no "database is locked" reaches anyone, no write is lost."""
import threading

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from tests.conftest import log_in, post_at_once
from tests.figures import count

WRITERS = 4
EACH = 15


def test_concurrent_form_posts_all_succeed(app):
    ids = {u.username: u.id for u in db.session.scalars(select(User))}
    targets = ["xa1", "xa2", "quan", "thuky"]
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    statuses, errors = post_at_once(app, "admin", WRITERS, EACH, lambda client, n, i: client.post(
        f"/admin/users/{ids[targets[n]]}", data={"full_name": f"Tên Mới {n} {i}"}))
    count("concurrent_writes", WRITERS * EACH)
    count("server_errors", sum(1 for s in statuses if s >= 500))
    assert errors == []
    assert statuses == [302] * (WRITERS * EACH)
    after = db.session.scalar(select(func.count()).select_from(AuditEvent))
    lost = WRITERS * EACH - (after - before)
    count("lost_writes", max(lost, 0))
    assert lost == 0
    names = {u.username: u.full_name for u in db.session.scalars(select(User))}
    assert all(names[t] == f"Tên Mới {n} {EACH - 1}" for n, t in enumerate(targets))


@pytest.mark.parametrize("attempt", range(2))
def test_a_double_clicked_submit_changes_once(app, attempt):
    """Two identical 'create account' posts at the same instant: one account, one clear refusal."""
    clients = []
    for _ in range(2):
        client = app.test_client()
        log_in(client, "admin")
        clients.append(client)
    db.session.remove()
    data = {"username": "nhapdup", "full_name": "Nhấp Hai Lần", "password": "mat-khau-dai-1", "role": "commune_clerk",
            "unit_code": "00001"}
    statuses = []
    start = threading.Barrier(2)

    def work(client):
        start.wait()
        statuses.append(client.post("/admin/users/new", data=data).status_code)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count("faults_injected")
    count("server_errors", sum(1 for s in statuses if s >= 500))
    assert sorted(statuses) in ([302, 400], [302, 409]), statuses
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "nhapdup")) == 1


def test_a_conflict_found_at_commit_becomes_the_409_page(app):
    """Fault injection: the one commit of a request fails; nothing is kept, the visitor gets
    the Vietnamese page (with the security headers), not a 500 or a redirect."""
    from flask import redirect

    from portal.permissions import public

    @public
    def duplicate():
        db.session.add(User(username="xa1", full_name="Trùng Tên", password_hash="x"))  # flushed at commit
        return redirect("/")

    app.add_url_rule("/_duplicate", "duplicate", duplicate, methods=["POST"])
    response = app.test_client().post("/_duplicate")
    count("faults_injected")
    assert response.status_code == 409
    assert "Location" not in response.headers
    assert "bấm gửi hai lần" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.full_name == "Trùng Tên")) == 0
