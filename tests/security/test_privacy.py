"""Least data: full CCCD and phone only for those who need them (portal/privacy.py)."""
import pytest
from flask import render_template_string
from sqlalchemy import select

from portal import privacy
from portal.auth.models import User
from portal.extensions import db
from portal.permissions import Ability, can
from portal.units.services import by_code
from tests.conftest import log_in


def test_mask_cccd_keeps_four_then_stars_then_three():
    assert privacy.mask_cccd("001085012123") == "0010*****123"
    assert privacy.mask_cccd(" 001085012345 ") == "0010*****345"
    assert privacy.mask_cccd("012345678") == "0123*****678"  # old 9-digit CMND


def test_mask_phone():
    assert privacy.mask_phone("0912345678") == "0912*****678"


@pytest.mark.parametrize("value,masked", [(None, ""), ("", ""), ("123", "***"), ("1234567", "*******")])
def test_mask_of_short_or_missing_values_reveals_nothing(value, masked):
    assert privacy.mask_cccd(value) == masked
    assert privacy.mask_phone(value) == masked


def _user(username):
    return db.session.scalars(select(User).where(User.username == username)).one()


# Who sees a person of Phường Phúc Xá (00001) whole.
EXPECTED = {
    "xa1": True,        # the commune's clerk
    "quan": True,       # its district officer
    "soyte": True,      # the health department (head)
    "chuyenvien": True,  # the health department (staff)
    "xa2": False,       # another commune's clerk
    "vanphong": False,  # the steering office's dashboards
    "thuky": False,     # the secretary's task reports
    "congan": False,    # another department
    "admin": False,     # administrators manage accounts, not citizens
}


def test_who_sees_full_identity(app):
    unit = by_code("00001")
    for username, whole in EXPECTED.items():
        user = _user(username)
        assert can(user, Ability.SEE_FULL_IDENTITY, unit) is whole, username
        shown = privacy.shown_identity(user, "001085012123", unit)
        assert shown == ("001085012123" if whole else "0010*****123"), username


def test_another_district_is_masked_for_the_district_officer(app):
    assert privacy.shown_identity(_user("quan"), "001085012123", by_code("00037")) == "0010*****123"


def test_without_a_unit_the_value_is_masked(app):
    assert privacy.shown_identity(_user("xa1"), "001085012123", None) == "0010*****123"


def test_the_template_filters(app):
    template = "{{ cccd | identity(unit) }} {{ phone | phone(unit) }}"
    for username in ("xa1", "vanphong"):
        with app.test_request_context():
            from flask_login import login_user

            login_user(_user(username))
            out = render_template_string(template, cccd="001085012123", phone="0912345678", unit=by_code("00001"))
        if EXPECTED[username]:
            assert out == "001085012123 0912345678"
        else:
            assert out == "0010*****123 0912*****678"


def test_a_list_decides_once_and_shows_what_the_filters_show(app):
    template = ("{% set shown_cccd, shown_phone = identity_shown(unit) %}"
                "{% for cccd, phone in people %}{{ shown_cccd(cccd) }} {{ shown_phone(phone) }};{% endfor %}")
    people = [("001085012123", "0912345678"), (None, "")]
    for username in ("xa1", "quan", "vanphong", "xa2"):
        with app.test_request_context():
            from flask_login import login_user

            login_user(_user(username))
            out = render_template_string(template, people=people, unit=by_code("00001"))
            one_by_one = render_template_string(
                "{% for cccd, phone in people %}{{ cccd | identity(unit) }} {{ phone | phone(unit) }};{% endfor %}",
                people=people, unit=by_code("00001"))
        assert out == one_by_one
        assert out == ("001085012123 0912345678; ;" if EXPECTED[username] else "0010*****123 0912*****678; ;"), username
    with app.test_request_context():
        assert render_template_string(template, people=people, unit=None) == "0010*****123 0912*****678; ;"


def test_anonymous_sees_masked_values(app):
    with app.test_request_context():
        out = render_template_string("{{ '001085012123' | identity(unit) }}", unit=by_code("00001"))
    assert out == "0010*****123"
