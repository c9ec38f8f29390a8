"""CSRF: the cases of Django's CSRF test suite (tests/csrf_tests), for Flask-WTF.

Every forged request is refused with the Vietnamese 400 page and changes nothing; the
same request with the right token goes through (so the refusals are not an accident)."""
import re

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.auth.models import Grant, User
from portal.extensions import db
from tests.conftest import log_in
from tests.figures import count


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _xa1_id():
    return db.session.scalars(select(User.id).where(User.username == "xa1")).one()


# (who, url, form data); each is a real change when the token is right.
TARGETS = {
    "create_user": ("admin", lambda: "/admin/users/new",
                    {"username": "giamao", "full_name": "Giả Mạo", "password": "mat-khau-dai-1", "role": "commune_clerk",
                     "unit_code": "00001"}),
    "reset_password": ("admin", lambda: f"/admin/users/{_xa1_id()}/password", {"password": "mat-khau-dai-1"}),
    "add_grant": ("admin", lambda: f"/admin/users/{_xa1_id()}/grants", {"role": "secretary", "unit_code": "001"}),
    "change_password": ("xa1", lambda: "/password", {"current": "demo1234", "new": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"}),
    "logout": ("xa1", lambda: "/logout", {}),
}


def _state():
    """Everything a forged request could change."""
    users = db.session.execute(select(User.username, User.password_hash, User.session_token, User.full_name)).all()
    db.session.expire_all()
    return (
        sorted(users),
        db.session.scalar(select(func.count()).select_from(Grant)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _other_session_token(app) -> str:
    other = app.test_client()
    log_in(other, "xa2")
    return _token(other)


CASES = ["missing_token", "wrong_token", "token_of_another_session", "missing_cookie", "token_of_another_secret"]


def _forge(app, client, case, good):
    if case == "missing_token":
        return None
    if case == "wrong_token":
        return good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    if case == "token_of_another_session":
        return _other_session_token(app)
    if case == "missing_cookie":
        client.delete_cookie("session")
        return good
    if case == "token_of_another_secret":
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer("another-key", salt="wtf-csrf-token").dumps("0" * 40)
    raise AssertionError(case)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_forged_requests_are_refused_and_change_nothing(app, target):
    """Each case, as a normal form post and as an htmx request (token in X-CSRFToken)."""
    username, url, data = TARGETS[target]
    url = url()
    before = _state()
    for case, htmx in [(c, h) for c in CASES for h in (False, True)]:
        client = app.test_client()
        log_in(client, username)
        good = _token(client)
        token = _forge(app, client, case, good)
        form, headers = dict(data), {}
        if htmx:
            headers = {"HX-Request": "true"}
            if token is not None:
                headers["X-CSRFToken"] = token
        elif token is not None:
            form["csrf_token"] = token
        response = client.post(url, data=form, headers=headers)
        count("hostile_inputs")
        assert response.status_code == 400, case
        body = response.get_data(as_text=True)
        assert "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ" in body, case
        assert "Traceback" not in body
        assert _state() == before, case
        count("csrf_refusals")


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("target", ["create_user", "change_password", "logout"])
def test_the_right_token_goes_through(app, client, target, htmx):
    username, url, data = TARGETS[target]
    log_in(client, username)
    good = _token(client)
    url = url()
    before = _state()
    data, headers = dict(data), {}
    if htmx:
        headers = {"HX-Request": "true", "X-CSRFToken": good}
    else:
        data["csrf_token"] = good
    response = client.post(url, data=data, headers=headers)
    assert response.status_code in (200, 302)
    assert _state() != before


def test_login_form_is_protected_too(client):
    client.get("/login")
    response = client.post("/login", data={"username": "xa1", "password": "demo1234"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_the_token_is_bound_to_the_session_not_the_user(app, client):
    """A token leaked from a past session of the same user is no longer good after a new login."""
    log_in(client, "xa1")
    old = _token(client)
    client.post("/logout", data={"csrf_token": old})
    log_in(client, "xa1")
    before = _state()
    response = client.post("/password", data={"csrf_token": old, "current": "demo1234", "new": "mat-khau-dai-1",
                                              "confirm": "mat-khau-dai-1"})
    assert response.status_code == 400
    assert _state() == before
