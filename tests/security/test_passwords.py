"""Password rules (ASVS 2.1.1, 2.1.2) and storage (2.4.1)."""
import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.services import password_problem
from portal.extensions import db


@pytest.mark.parametrize("password,ok", [
    ("a" * 11, False), ("a" * 12, True), ("mật khẩu dài có dấu", True), ("x" * 64, True),
    ("x" * 128, True), ("x" * 129, False), ("", False),
])
def test_length_rules(password, ok):
    assert (password_problem(password) is None) is ok


def test_short_password_is_refused_in_vietnamese(client, login_as):
    login_as("xa1")
    response = client.post("/password", data={"current": "demo1234", "new": "ngan-qua-1", "confirm": "ngan-qua-1"})
    assert response.status_code == 400
    assert "Mật khẩu phải có ít nhất 12 ký tự." in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes(app):
    user = db.session.scalars(select(User).where(User.username == "xa1")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert "demo1234" not in user.password_hash
