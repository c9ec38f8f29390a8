"""Security headers on every response (ASVS 14.4.x), tried on every route of the URL map."""
import pytest

from tests.conftest import log_in
from tests.figures import count
from tests.test_route_matrix import _build, _method, _routes


def _check(response, *, page=True, https=False):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    if page:
        assert "no-store" in headers["Cache-Control"]
    if https:
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert int(headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    else:
        assert "Strict-Transport-Security" not in headers
    count("header_checks")


def _every_route(app, client, **kwargs):
    seen = 0
    for rule in _routes(app):
        if rule.endpoint == "auth.logout":
            continue
        response = client.open(_build(app, rule), method=_method(rule), **kwargs)
        count("server_errors", response.status_code >= 500)
        assert response.status_code < 500, rule.rule
        _check(response, https=kwargs.get("base_url", "").startswith("https"))
        seen += 1
    return seen


@pytest.mark.parametrize("username", ["admin", "xa1"])
def test_every_route_sends_the_headers(app, client, username):
    log_in(client, username)
    assert _every_route(app, client) > 5


def test_every_route_sends_the_headers_to_anonymous_visitors(app, client):
    assert _every_route(app, client) > 5


def test_hsts_when_served_over_https(app, client):
    log_in(client, "admin")
    assert _every_route(app, client, base_url="https://portal.example") > 5


def test_htmx_fragments_and_error_pages_carry_the_headers(app, client):
    log_in(client, "admin")
    _check(client.get("/admin/users?q=xa", headers={"HX-Request": "true"}))
    _check(client.get("/khong-co-trang-nay"))
    log_in(client, "xa1")
    _check(client.get("/admin/users"))


def test_static_files_get_nosniff_and_may_be_cached(app, client):
    response = client.get("/static/js/htmx.min.js")
    assert response.status_code == 200
    _check(response, page=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_templates_have_no_inline_script_or_handlers():
    """The CSP forbids inline script; the templates must not rely on it (nor on hx-on)."""
    import re

    from portal.config import ROOT

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text) or "hx-on" in text:
            offenders.append(str(path.relative_to(ROOT)))
        if re.search(r"javascript:", text, re.I):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_an_error_inside_a_change_gives_the_vietnamese_500_page_and_changes_nothing(app):
    """Fault injection: a view fails half-way through a change."""
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.extensions import db
    from portal.permissions import public

    @public
    def half_done():
        db.session.add(User(username="nua-chung", full_name="Nửa Chừng", password_hash="x"))
        db.session.flush()
        raise RuntimeError("injected fault")

    app.add_url_rule("/_fault", "fault", half_done, methods=["POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = db.session.scalar(select(func.count()).select_from(User))
    response = app.test_client().post("/_fault")
    count("faults_injected")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Lỗi hệ thống" in body and "injected fault" not in body and "Traceback" not in body
    _check(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == before
