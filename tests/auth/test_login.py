"""Login, logout, throttling, password change, session expiry: request level."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from tests.conftest import log_in


def _login(client, username, password="demo1234", **extra):
    return client.post("/login", data={"username": username, "password": password, **extra})


def test_login_page_is_vietnamese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and 'lang="vi"' in page


def test_good_login_goes_home_and_is_audited(client):
    response = _login(client, "xa1")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Xin chào, Vũ Văn Nam" in home
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).first() is not None


def test_username_is_case_insensitive(client):
    assert _login(client, "XA1").status_code == 302


@pytest.mark.parametrize("username,password", [("xa1", "sai"), ("khongco", "demo1234"), ("xa1", "")])
def test_bad_credentials_get_one_vague_message(client, username, password):
    response = _login(client, username, password)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "/login" in page and "Xin chào" not in page
    if password:
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    else:
        assert "Vui lòng nhập mật khẩu." in page


def test_next_parameter_only_allows_local_paths(client):
    assert _login(client, "admin", next="https://evil.example/").location == "/"
    client.post("/logout")
    assert _login(client, "admin", next="//evil.example/").location == "/"
    client.post("/logout")
    assert _login(client, "admin", next="/admin/users").location == "/admin/users"


def test_inactive_account_cannot_sign_in(client):
    user = db.session.scalars(select(User).where(User.username == "xa2")).one()
    user.active = False
    db.session.commit()
    assert "Tài khoản đã bị khóa" in _login(client, "xa2").get_data(as_text=True)


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": False, "LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes",
                "LOGIN_LIMIT_PER_ADDRESS": "5 per 5 minutes"}

    def test_account_is_paused_after_three_failures_even_with_the_right_password(self, client):
        for _ in range(3):
            _login(client, "quan", "sai")
        response = _login(client, "quan")
        assert response.status_code == 429
        assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)

    def test_one_address_is_paused_across_accounts(self, client):
        for name in ["a1", "a2", "a3", "a4", "a5"]:
            _login(client, name, "sai")
        response = _login(client, "xa1")
        assert response.status_code == 429

    def test_a_success_resets_the_account_counter(self, client):
        _login(client, "quan", "sai")
        _login(client, "quan", "sai")
        assert _login(client, "quan").status_code == 302
        client.post("/logout")
        _login(client, "quan", "sai")
        _login(client, "quan", "sai")
        assert _login(client, "quan").status_code == 302


def test_logout_ends_every_session_of_the_user(app):
    first, second = app.test_client(), app.test_client()
    log_in(first, "soyte")
    log_in(second, "soyte")
    assert first.get("/").status_code == 200
    first.post("/logout")
    assert second.get("/").status_code == 302  # the other browser is signed out too


def test_logout_needs_post(client, login_as):
    login_as("xa1")
    assert client.get("/logout").status_code == 405


def test_password_change_checks_and_signs_out(client, login_as):
    login_as("xa1")
    bad = client.post("/password", data={"current": "sai", "new": "matkhaumoi1", "confirm": "matkhaumoi1"})
    assert bad.status_code == 400 and "Mật khẩu hiện tại không đúng." in bad.get_data(as_text=True)
    short = client.post("/password", data={"current": "demo1234", "new": "ngan", "confirm": "ngan"})
    assert "ít nhất 8 ký tự" in short.get_data(as_text=True)
    mismatch = client.post("/password", data={"current": "demo1234", "new": "matkhaumoi1", "confirm": "khac12345"})
    assert "Hai mật khẩu không khớp." in mismatch.get_data(as_text=True)
    ok = client.post("/password", data={"current": "demo1234", "new": "matkhaumoi1", "confirm": "matkhaumoi1"})
    assert ok.status_code == 302 and ok.location.startswith("/login")
    assert client.get("/").status_code == 302
    assert _login(client, "xa1", "demo1234").status_code == 200
    assert _login(client, "xa1", "matkhaumoi1").status_code == 302


def test_idle_session_expires(app, client, login_as):
    login_as("xa1")
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 1
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert "Phiên làm việc đã hết hạn" in client.get("/login").get_data(as_text=True)


def test_absolute_session_limit(app, client, login_as):
    login_as("xa1")
    with client.session_transaction() as session:
        session["login_at"] -= (app.config["SESSION_ABSOLUTE_TIMEOUT"] + timedelta(seconds=1)).total_seconds()
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client):
    response = _login(client, "xa1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_configured(databases):
    from portal import create_app
    from tests.conftest import make_config

    uri = databases.create()
    app = create_app(make_config(uri, SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=False))
    response = app.test_client().post("/login", data={"username": "xa1", "password": "demo1234"})
    assert "Secure" in response.headers["Set-Cookie"]
    with app.app_context():
        db.engine.dispose()
    databases.drop(uri)
