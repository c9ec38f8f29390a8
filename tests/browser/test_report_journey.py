"""The secretary's journey in a browser: choose a report, preview it (the PDF's own template, in
a frame under the CSP), issue it, watch the progress update by itself, download the numbered PDF."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_secretary_previews_issues_and_downloads_a_testing_report(page, portal_url, tmp_path):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    sign_in(page, portal_url, "thuky")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Báo cáo tình hình lấy mẫu xét nghiệm").click()
    page.get_by_label("Đơn vị báo cáo").select_option(label="— Quận Ba Đình")
    page.get_by_label("Họ và tên người ký").fill("Nguyễn Văn Bình")
    page.get_by_role("button", name="Xem trước").click()

    expect(page.get_by_role("heading", name="Xem trước: Báo cáo tình hình lấy mẫu xét nghiệm")).to_be_visible()
    frame = page.frame_locator("iframe.report-preview")
    expect(frame.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")).to_be_visible()
    expect(frame.get_by_text("trên địa bàn Quận Ba Đình", exact=True)).to_be_visible()
    expect(frame.get_by_text("DỰ THẢO")).to_be_visible()
    page.screenshot(path="/tmp/rep_work/browser-preview.png", full_page=False)

    # Issuing uses up a number: the box naming it must be ticked first (the browser and the server refuse otherwise).
    page.get_by_role("button", name="Cấp số và phát hành").click()
    expect(page.get_by_role("heading", name="Xem trước: Báo cáo tình hình lấy mẫu xét nghiệm")).to_be_visible()
    page.get_by_label("Tôi xác nhận cấp số 01/BC-SYT cho báo cáo này").check()
    page.screenshot(path="/tmp/rep_work/browser-confirm.png", full_page=True)
    page.get_by_role("button", name="Cấp số và phát hành").click()
    expect(page.get_by_text("Đã cấp số 01/BC-SYT")).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/rep_work/browser-job.png")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Sổ đăng ký báo cáo").click()
    expect(page.get_by_role("cell", name="01/BC-SYT")).to_be_visible()
    assert violations == []
