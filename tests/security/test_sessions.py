"""Sessions: idle and absolute limits, a fresh session at login, logout and password change
end every session of the user, refusals logged without secrets (ASVS 3.2.1, 3.3.1, 3.3.2, 7.1.x)."""
import logging
from datetime import timedelta

import pytest

from portal.auth import routes as auth_routes
from portal.timeutil import utcnow
from tests.figures import count


class Clock:
    """Controls the time the session checks see."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth_routes, "utcnow", clock)
    return clock


def _sign_in(client, username="xa1", password="demo1234"):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302 and not response.location.endswith("/login"), response.location
    return response


def test_idle_session_ends_after_thirty_minutes(client, clock):
    _sign_in(client)
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity renews the idle timer
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn" in page
    assert client.get("/").status_code == 302  # the session is gone, not just refused once


def test_session_ends_after_twelve_hours_even_when_active(client, clock):
    _sign_in(client)
    for _ in range(28):  # a request every 25 minutes: never idle
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    clock.advance(minutes=25)  # 12 h 05 since login
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_login_starts_a_fresh_session(client):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    before = client.get_cookie("session").value
    _sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["login_at"] == session["seen_at"]
    assert client.get_cookie("session").value != before


def test_logout_ends_every_session_of_the_user(app):
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    _sign_in(laptop)
    _sign_in(phone)
    _sign_in(other, "xa2")
    assert phone.get("/").status_code == 200
    laptop.post("/logout")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302  # the other device is signed out too
    assert other.get("/").status_code == 200  # other users are untouched


def test_password_change_ends_every_session_of_the_user(app):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop)
    _sign_in(phone)
    response = laptop.post("/password", data={"current": "demo1234", "new": "mat-khau-moi-9", "confirm": "mat-khau-moi-9"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    _sign_in(phone, password="mat-khau-moi-9")
    assert phone.get("/").status_code == 200


def test_admin_password_reset_ends_the_users_sessions(app, login_as):
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db

    victim = app.test_client()
    _sign_in(victim)
    xa1 = db.session.scalars(select(User).where(User.username == "xa1")).one()
    admin = login_as("admin")
    assert admin.post(f"/admin/users/{xa1.id}/password", data={"password": "mat-khau-moi-9"}).status_code == 302
    assert victim.get("/").status_code == 302


@pytest.fixture
def log_lines(app):
    """Everything the portal logs during the test, as text (works with -p no:logging)."""
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    app.logger.disabled = False
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.DEBUG)
    yield lines
    app.logger.removeHandler(handler)


SECRET = "Bí-mật-Không-Lộ-42"


def test_failed_login_is_logged_without_the_password(client, log_lines):
    client.post("/login", data={"username": "xa1", "password": SECRET})
    assert any("login failed" in line for line in log_lines)
    assert not any(SECRET in line for line in log_lines)


def test_denied_access_is_logged(client, login_as, log_lines):
    login_as("xa1")
    assert client.get("/admin/users").status_code == 403
    assert any("access denied" in line or "access refused" in line for line in log_lines)


def test_validation_failure_is_logged_without_what_was_typed(client, login_as, log_lines):
    login_as("xa1")
    response = client.post("/password", data={"current": SECRET, "new": "ngắn", "confirm": "khác"})
    assert response.status_code == 400
    assert any("validation failed" in line and "auth.change_password" in line for line in log_lines)
    assert not any(SECRET in line or "ngắn" in line for line in log_lines)


def test_wrong_second_factor_is_logged_without_the_code(client, log_lines):
    client.post("/login", data={"username": "admin", "password": "demo1234"})
    client.post("/login/code", data={"code": "918273"})
    assert any("second factor failed" in line for line in log_lines)
    assert not any("918273" in line for line in log_lines)


def test_no_open_redirect_after_login(app):
    for target in ["/\\evil.example", "/\\/evil.example", "/\t/evil.example", "//evil.example",
                   "https://evil.example/", "/%0a/evil.example\n", "javascript:alert(1)"]:
        client = app.test_client()
        response = client.post("/login", data={"username": "xa1", "password": "demo1234", "next": target})
        count("hostile_inputs")
        assert response.status_code == 302 and response.location == "/", target
