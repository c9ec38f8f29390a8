"""In a browser: the roster's counts follow an inline add and remove (out-of-band swaps), and the
CCCD mismatch warning shows while typing."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_counts_follow_inline_changes_and_the_cccd_mismatch_shows_live(page, portal_url):
    sign_in(page, portal_url, "xa1")
    page.goto(f"{portal_url}/rosters/1")
    total = page.locator("#roster-counts dd").first
    before = int(total.inner_text().split()[0].replace(".", ""))
    form = page.locator("#add-person")
    form.get_by_label("Họ và tên").fill("Trần Thị Hoa")
    form.get_by_label("Ngày sinh hoặc năm sinh").fill("1990")
    form.get_by_label("Giới tính").select_option("female")
    form.get_by_label("Số CCCD/CMND").fill("001085123456")
    expect(page.locator("#cccd-warning")).to_contain_text("Số CCCD ghi giới tính Nam")
    expect(page.locator("#birth-help")).to_have_text("dd/mm/yyyy hoặc năm sinh")
    page.screenshot(path="/tmp/fixtasks_cccd_warning.png", full_page=False)
    form.get_by_label("Số điện thoại").fill("0912000222")
    form.get_by_role("button", name="Thêm vào danh sách").click()
    expect(page.locator("#people-rows tr").first).to_contain_text("Trần Thị Hoa")
    expect(total).to_contain_text(f"{before + 1}")
    expect(page.locator("#people-count")).to_contain_text(f"{before + 1} người")
    page.screenshot(path="/tmp/fixtasks_counts_after_add.png", full_page=False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#people-rows tr").first.get_by_role("button", name="Xóa").click()
    expect(total).to_contain_text(f"{before}")
    expect(page.locator("#people-count")).to_contain_text(f"{before} người")
