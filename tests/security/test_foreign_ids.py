"""Another unit's ids: every route that takes an id, asked by xa1 (Phường Phúc Xá) with the ids
of Phường Trúc Bạch's objects, answers 403 or 404 and leaks nothing (ASVS 4.2.1).

The foreign values come from tests/route_params.py FOREIGN; each domain adds its own."""
import pytest

from tests.conftest import log_in
from tests.figures import count
from tests.route_params import FOREIGN, FOREIGN_MARKERS, NOT_SCOPED, PARAMS
from tests.test_route_matrix import _routes


def _id_routes(app):
    return [r for r in _routes(app) if any(a in FOREIGN for a in r.arguments)]


def test_every_id_parameter_has_a_foreign_sample(app):
    missing = sorted({a for r in _routes(app) for a in r.arguments
                      if a.endswith("_id") and a not in FOREIGN and a not in NOT_SCOPED})
    assert missing == [], f"add these to FOREIGN (or NOT_SCOPED) in tests/route_params.py: {missing}"


@pytest.mark.parametrize("username", ["xa1"])
def test_foreign_ids_are_not_found_and_leak_nothing(app, client, username):
    from flask import url_for

    log_in(client, username)
    markers = [text for make in FOREIGN_MARKERS for text in make()]
    routes = _id_routes(app)
    used = {a for r in routes for a in r.arguments}
    values = {name: make() for name, make in PARAMS.items() if name in used}
    foreign = {name: make() for name, make in FOREIGN.items() if name in used}
    tried = 0
    for rule in routes:
        args = {name: foreign.get(name, values.get(name)) for name in rule.arguments}
        if any(v is None for v in args.values()):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted({"GET", "POST"} & set(rule.methods)):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(url, method=method, headers=headers)
                count("foreign_id_requests")
                count("server_errors", response.status_code >= 500)
                assert response.status_code in (403, 404), (method, url, response.status_code)
                body = response.get_data(as_text=True)
                leaked = [m for m in markers if m and m in body]
                count("leaks", len(leaked))
                assert leaked == [], (url, leaked)
                tried += 1
    assert tried > 0
