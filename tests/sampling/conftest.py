"""Shared set-up for the sampling tests: the demo campaign has a round that covers today."""
import pytest
from sqlalchemy import select

from portal.campaigns import services as campaigns
from portal.campaigns.models import Site
from portal.demo.loader import DEMO_CAMPAIGN
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.timeutil import local_today
from portal.units.services import by_code


@pytest.fixture
def campaign(app):
    return campaigns.by_name(DEMO_CAMPAIGN)


@pytest.fixture
def today_round(app, campaign):
    """The demo's round around the day it was loaded (sampling/demo.add_current_round)."""
    round_ = campaigns.round_for(campaign.id, local_today())
    assert round_ is not None, "the demo campaign has a round that covers today"
    return round_


def site_of(code: str, kind: str = "sampling_point") -> Site:
    return db.session.scalars(select(Site).where(Site.unit_id == by_code(code).id, Site.kind == kind)).first()


def people_of(code: str, kind=RosterKind.TESTING, n: int = 3, zone=None) -> list[Person]:
    stmt = select(Person).join(Roster, Roster.id == Person.roster_id).where(
        Person.unit_id == by_code(code).id, Roster.kind == kind, Person.cccd.is_not(None))
    if zone:
        stmt = stmt.where(Person.zone == zone)
    return list(db.session.scalars(stmt.order_by(Person.id).limit(n)))


def as_user(app, username: str):
    """A fresh client signed in as `username`. The tests run inside one app context, where
    Flask-Login caches the user on `g`; forget it so the next request loads this user."""
    from flask import g

    from tests.conftest import log_in

    g.pop("_login_user", None)
    client = app.test_client()
    log_in(client, username)
    return client
