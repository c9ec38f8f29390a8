"""In a browser: no CSP violation on the pages, htmx works under the CSP, and an
administrator enrols a second factor by scanning a QR code."""
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _watch_console(page):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 404 else None)
    return problems


ADMIN_PAGES = ["/", "/admin/users", "/admin/units", "/admin/audit", "/password", "/admin/users/new"]


def test_no_csp_violation_on_the_pages_and_htmx_works(page, portal_url):
    problems = _watch_console(page)
    page.goto(f"{portal_url}/login")
    sign_in(page, portal_url, "admin")
    expect(page.get_by_role("heading", name="Xin chào", exact=False)).to_be_visible()
    for path in ADMIN_PAGES:
        page.goto(f"{portal_url}{path}")
        page.wait_for_load_state("networkidle")
    # htmx under the CSP: the audit filter swaps rows in place, with the CSRF header set by hx-headers.
    page.goto(f"{portal_url}/admin/audit")
    assert page.evaluate("typeof window.htmx") == "object"
    with page.expect_response(lambda r: "/admin/audit?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Thao tác").fill("login")
        page.get_by_label("Thao tác").press("Enter")
    expect(page.locator("#audit-rows")).to_contain_text("Đăng nhập")  # the action "login", shown by its Vietnamese label
    expect(page).to_have_url(re.compile(r"action=login"))
    # A bad date: the fragment with its Vietnamese message is swapped in, no full reload.
    page.get_by_label("Từ ngày").fill("31/02/2021")
    page.get_by_label("Từ ngày").press("Enter")
    expect(page.locator("#audit-rows")).to_contain_text("Ngày phải có dạng ngày/tháng/năm")
    page.screenshot(path="/tmp/security_audit_filter.png", full_page=True)
    csp = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert csp == [], csp
    # 400 answers to the bad filter are logged by the browser as failed loads; nothing else.
    assert [p for p in problems if "400" not in p] == []


def test_an_administrator_enrols_a_second_factor(page, portal_url, live_server):
    from portal.auth.models import Role

    with live_server.app.app_context():
        from portal.admin import services
        from portal.extensions import db
        from portal.units.services import by_code

        user = services.create_user(None, "quantri_moi", "Quản Trị Mới", "mat-khau-dai-1")
        services.add_grant(None, user, Role.ADMIN, by_code("01"))
        db.session.commit()
        db.session.remove()
    problems = _watch_console(page)
    sign_in(page, portal_url, "quantri_moi", "mat-khau-dai-1")
    expect(page.get_by_role("heading", name="Bật xác thực hai lớp")).to_be_visible()
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0  # the data: image rendered
    page.screenshot(path="/tmp/security_enrol.png", full_page=True)
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực (6 chữ số)").fill("000000")
    page.get_by_role("button", name="Xác nhận và đăng nhập").click()
    expect(page.get_by_text("Mã xác thực không đúng")).to_be_visible()
    page.get_by_label("Mã xác thực (6 chữ số)").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và đăng nhập").click()
    expect(page.get_by_text("Đã bật xác thực hai lớp cho tài khoản.")).to_be_visible()
    expect(page.get_by_role("link", name="Nhật ký", exact=True)).to_be_visible()
    assert [p for p in problems if "Content Security Policy" in p or "Refused to" in p] == []
