"""Every route × every demo role, generated from the URL map.

A route without an access rule fails here; so does a route whose answer for a role
disagrees with the policy. Routes with ids are tried with objects of the role's own
scope and, in tests/test_foreign_ids.py-style modules of each domain, with others'."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.demo.loader import ACCOUNTS
from portal.extensions import db
from portal.permissions import POLICY
from tests.conftest import log_in
from tests.figures import count
from tests.route_params import PARAMS

USERNAMES = [a[0] for a in ACCOUNTS]


def _sample_values(app) -> dict[str, object]:
    """A value for each URL parameter name used by the routes (tests/route_params.py)."""
    return {name: make() for name, make in PARAMS.items()}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_route_declares_an_access_rule(app):
    missing = [r.endpoint for r in _routes(app) if not hasattr(app.view_functions[r.endpoint], "access_rule")]
    assert missing == [], f"routes without @require or @public: {missing}"


def _build(app, rule):
    values = _sample_values(app)
    args = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _method(rule):
    return "GET" if "GET" in rule.methods else "POST"


def test_anonymous_visitors_are_sent_to_login(app, client):
    for rule in _routes(app):
        view = app.view_functions[rule.endpoint]
        url = _build(app, rule)
        response = client.open(url, method=_method(rule))
        if view.access_rule == "public":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 302 and "/login" in response.location, url


@pytest.mark.parametrize("username", USERNAMES)
def test_each_role_gets_what_the_policy_says(app, client, username):
    log_in(client, username)
    user = db.session.scalars(select(User).where(User.username == username)).one()
    checked = 0
    for rule in _routes(app):
        view = app.view_functions[rule.endpoint]
        if view.access_rule == "public" or rule.endpoint == "auth.logout":
            continue
        url = _build(app, rule)
        response = client.open(url, method=_method(rule))
        allowed = bool(user.roles & POLICY[view.access_rule])
        if allowed:
            assert response.status_code not in (403, 405, 500), (username, url, response.status_code)
        else:
            assert response.status_code in (403, 404), (username, url, response.status_code)
        checked += 1
        count("route_role_pairs")
        count("server_errors", response.status_code >= 500)
    assert checked > 0
