"""Administrators sign in with a password and a TOTP code (ASVS 2.8.x, 4.3.1)."""
import re
import time

import pyotp
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.auth.models import Role, User
from portal.demo.loader import DEMO_ADMIN_TOTP_SECRET
from portal.extensions import db


def _user(username):
    return db.session.scalars(select(User).where(User.username == username)).one()


def _password(client, username, password="demo1234", next_url=""):
    return client.post("/login" + (f"?next={next_url}" if next_url else ""),
                       data={"username": username, "password": password, "next": next_url})


def test_admin_password_alone_does_not_sign_in(client):
    response = _password(client, "admin")
    assert response.status_code == 302 and response.location.endswith("/login/code")
    assert client.get("/admin/users").status_code == 302  # still anonymous
    assert client.get("/login/code").status_code == 200


def test_admin_signs_in_with_the_code(client):
    _password(client, "admin", next_url="/admin/audit")
    response = client.post("/login/code", data={"code": pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()})
    assert response.status_code == 302 and response.location.endswith("/admin/audit")
    assert client.get("/admin/users").status_code == 200
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).first() is not None


def test_wrong_code_is_refused_in_vietnamese(client):
    _password(client, "admin")
    response = client.post("/login/code", data={"code": "000000"})
    assert response.status_code == 400
    assert "Mã xác thực không đúng" in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302


def test_a_code_is_accepted_only_once(app):
    code = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()
    first, second = app.test_client(), app.test_client()
    _password(first, "admin")
    assert first.post("/login/code", data={"code": code}).status_code == 302
    _password(second, "admin")
    response = second.post("/login/code", data={"code": code})
    assert response.status_code == 400, response.location


def test_a_code_used_by_a_concurrent_sign_in_is_refused(app):
    """Two sign-ins race with one code: the second read the account before the first committed
    (PostgreSQL's read committed), yet the step is claimed in the database, once."""
    from sqlalchemy.orm.attributes import set_committed_value

    from portal.auth import services

    admin = _user("admin")
    step = int(time.time() // 30)
    code = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).generate_otp(step)
    with app.test_request_context("/login/code", method="POST"):
        assert services.check_second_factor(admin, code) is None  # the first sign-in
        db.session.commit()
        set_committed_value(admin, "totp_last_step", None)  # what the racing sign-in had read
        assert services.check_second_factor(admin, code) == services.BAD_CODE
        db.session.rollback()
    assert _user("admin").totp_last_step == step


def test_code_attempts_are_throttled(app, client):
    _password(client, "admin")
    for _ in range(5):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 400
    good = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()
    response = client.post("/login/code", data={"code": good})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_code_page_without_password_step_goes_back_to_login(client):
    assert client.get("/login/code").location.endswith("/login")
    assert client.post("/login/code", data={"code": "123456"}).location.endswith("/login")
    assert client.get("/login/enrol").location.endswith("/login")


def test_the_password_step_expires(app, client, monkeypatch):
    _password(client, "admin")
    with client.session_transaction() as session:
        session["pending_at"] -= 301
    response = client.post("/login/code", data={"code": pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now()})
    assert response.location.endswith("/login")
    assert client.get("/admin/users").status_code == 302


def test_other_roles_sign_in_with_the_password_only(client):
    response = _password(client, "xa1")
    assert response.status_code == 302 and response.location.endswith("/")
    assert client.get("/").status_code == 200


def test_first_admin_login_enrols_with_a_qr_code(app, client, user_factory):
    user_factory("quantri2", [(Role.ADMIN, "01")], password="mat-khau-dai-1")
    response = _password(client, "quantri2", "mat-khau-dai-1")
    assert response.location.endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page  # no external image, CSP img-src data:
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    # A wrong code keeps the account without a second factor.
    assert client.post("/login/enrol", data={"code": "000000"}).status_code == 400
    assert _user("quantri2").totp_secret is None
    response = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert _user("quantri2").totp_secret == secret
    assert client.get("/admin/users").status_code == 200
    # The next sign-in asks for the code of the enrolled secret.
    client.post("/logout")
    assert _password(client, "quantri2", "mat-khau-dai-1").location.endswith("/login/code")


def test_enrolment_secret_stays_the_same_across_reloads(client, user_factory):
    user_factory("quantri3", [(Role.ADMIN, "01")], password="mat-khau-dai-1")
    _password(client, "quantri3", "mat-khau-dai-1")
    pages = [client.get("/login/enrol").get_data(as_text=True) for _ in range(2)]
    secrets_shown = [re.search(r'<code class="secret">([^<]+)</code>', p).group(1) for p in pages]
    assert secrets_shown[0] == secrets_shown[1]


def test_code_from_the_previous_step_is_accepted_for_clock_drift(client):
    _password(client, "admin")
    code = pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).at(time.time() - 30)
    assert client.post("/login/code", data={"code": code}).status_code == 302


def test_an_administrator_resets_a_lost_second_factor(app, client, login_as, user_factory):
    other = user_factory("quantri4", [(Role.ADMIN, "01")], password="mat-khau-dai-1")
    other.totp_secret = pyotp.random_base32(32)
    db.session.commit()
    victim = app.test_client()
    with victim.session_transaction():
        pass
    login_as("admin")
    assert "Đặt lại xác thực hai lớp" in client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{other.id}/second-factor/reset")
    assert response.status_code == 302
    assert _user("quantri4").totp_secret is None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_totp")).first() is not None
    assert _password(victim, "quantri4", "mat-khau-dai-1").location.endswith("/login/enrol")


def test_only_administrators_reset_second_factors(app, client, login_as):
    login_as("xa1")
    assert client.post(f"/admin/users/{_user('admin').id}/second-factor/reset").status_code == 403
    assert _user("admin").totp_secret == DEMO_ADMIN_TOTP_SECRET
