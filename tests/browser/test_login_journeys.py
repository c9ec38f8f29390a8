"""Login, logout, wrong password, throttling, each role's navigation, accessibility."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# What each demo account must (and must not) find in the navigation.
NAV = {
    "admin": {"Đơn vị", "Người dùng", "Nhật ký"},
    "vanphong": set(),
    "soyte": set(),
    "chuyenvien": set(),
    "congan": set(),
    "quan": set(),
    "xa1": set(),
    "xa2": set(),
    "thuky": set(),
}
ADMIN_ONLY = {"Đơn vị", "Người dùng", "Nhật ký"}


def _axe_violations(page):
    results = Axe().run(page)
    return [(v["id"], v["help"]) for v in results.response["violations"]]


def test_login_page_is_accessible(page, portal_url):
    page.goto(f"{portal_url}/login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert _axe_violations(page) == []


def test_wrong_password_shows_a_vietnamese_message(page, portal_url):
    sign_in(page, portal_url, "xa2", "sai-mat-khau")
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page).to_have_url(f"{portal_url}/login")


def test_login_and_logout(page, portal_url):
    sign_in(page, portal_url, "xa1")
    expect(page.get_by_role("heading", name="Xin chào, Vũ Văn Nam")).to_be_visible()
    expect(page.get_by_role("heading", name="Cán bộ xã/phường — Phường Phúc Xá")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    page.goto(f"{portal_url}/")
    expect(page).to_have_url(f"{portal_url}/login?next=%2F")


@pytest.mark.parametrize("username", sorted(NAV))
def test_each_role_lands_on_its_home_with_its_navigation(page, portal_url, username):
    sign_in(page, portal_url, username)
    expect(page.get_by_role("heading", name="Xin chào", exact=False)).to_be_visible()
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    links = set(nav.get_by_role("link").all_inner_texts())
    for label in NAV[username]:
        assert label in links
    for label in ADMIN_ONLY - NAV[username]:
        assert label not in links
    assert _axe_violations(page) == []
