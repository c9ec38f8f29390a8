"""Repeated failed logins pause the account, even with the right password afterwards."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_throttling_after_repeated_failures(page, portal_url):
    # The live server allows 3 failed attempts per account in its window.
    for _ in range(3):
        sign_in(page, portal_url, "congan", "sai")
        expect(page.get_by_role("alert")).to_contain_text("không đúng")
    sign_in(page, portal_url, "congan", "demo1234")
    expect(page.get_by_role("alert")).to_contain_text("Đăng nhập sai quá nhiều lần")
    expect(page).to_have_url(f"{portal_url}/login")
