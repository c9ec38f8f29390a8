"""A clerk compiles a roster, the district officer returns it, the clerk fixes it, it is approved."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from tests.browser.conftest import sign_in
from tests.rosters.roster_files import MESSY_ACCEPTED, MESSY_REJECTED, MESSY_WARNED, messy_xlsx

pytestmark = pytest.mark.browser
SHOTS = "/tmp/roster-{}.png"


def _foreign_cccd_and_roster(app):
    from portal.rosters.models import Person, Roster, RosterKind
    from portal.units.services import by_code

    with app.app_context():
        foreign = db.session.scalars(select(Person.cccd).where(Person.unit_id == by_code("00004").id,
                                                               Person.cccd.like("001%"))).first()
        roster_id = db.session.scalars(select(Roster.id).where(Roster.unit_id == by_code("00001").id,
                                                               Roster.kind == RosterKind.TESTING)).one()
        db.session.remove()
    return foreign, roster_id


def _sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def test_roster_journey(page, portal_url, live_server):
    foreign, roster_id = _foreign_cccd_and_roster(live_server.app)
    roster_url = f"{portal_url}/rosters/{roster_id}"

    # the clerk finds the roster from the navigation
    sign_in(page, portal_url, "xa1")
    page.get_by_role("link", name="Danh sách người dân").click()
    page.get_by_role("link", name="Phường Phúc Xá").first.click()
    expect(page).to_have_url(roster_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đang lập")
    page.screenshot(path=SHOTS.format("1-clerk"), full_page=False)

    # adds a person: a wrong phone is flagged as typed, then fixed
    form = page.locator("#add-person")
    form.get_by_label("Họ và tên").fill("trần  thị   hường")
    form.get_by_label("Ngày sinh hoặc năm sinh").fill("12/05/1990")
    form.get_by_label("Giới tính").select_option("Nữ")
    form.get_by_label("Số CCCD/CMND").fill("001190123457")
    form.get_by_label("Số điện thoại").fill("12345")
    expect(form.locator("#field-phone .error")).to_contain_text("10 chữ số")
    page.screenshot(path=SHOTS.format("2-inline-error"))
    form.get_by_label("Số điện thoại").fill("0987 123 456")
    expect(form.locator("#field-phone .error")).to_have_count(0)
    form.get_by_label("Địa chỉ").fill("Số 3 ngõ 64 Nghĩa Dũng, tổ 5")
    form.get_by_label("Khu vực").select_option("Nguy cơ cao")
    form.get_by_role("button", name="Thêm vào danh sách").click()
    new_row = page.locator("#people-rows tr.saved", has_text="Trần Thị Hường")
    expect(new_row).to_be_visible()
    expect(page.locator("#add-person")).to_contain_text("Đã thêm Trần Thị Hường.")
    expect(page.locator("#add-person").get_by_label("Họ và tên")).to_have_value("")

    # edits the row in place
    new_row.get_by_role("link", name=re.compile("Sửa")).click()
    editing = page.locator("#people-rows tr.editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Địa chỉ").fill("Số 5 ngõ 64 Nghĩa Dũng, tổ 5")
    page.screenshot(path=SHOTS.format("3-edit-in-place"))
    editing.get_by_role("button", name="Lưu").click()
    expect(page.locator("#people-rows tr.editing")).to_have_count(0)
    expect(page.locator("#people-rows")).to_contain_text("Số 5 ngõ 64 Nghĩa Dũng, tổ 5")

    # searches without diacritics
    page.get_by_label("Tìm theo họ tên").fill("tran thi huong")
    expect(page.locator("#people-rows")).to_contain_text("Trần Thị Hường")
    expect(page.locator("#people .count")).to_contain_text("khớp “tran thi huong”")
    expect(page).to_have_url(re.compile(r"q=tran"))
    page.screenshot(path=SHOTS.format("4-search"))
    # ... by the given name alone, with its marks; the row links to the person
    page.get_by_label("Tìm theo họ tên").fill("HƯỜNG")
    expect(page.locator("#people .count")).to_contain_text("khớp “HƯỜNG”")
    page.locator("#people-rows").get_by_role("link", name="Trần Thị Hường", exact=True).click()
    expect(page).to_have_url(re.compile(r"/rosters/\d+/people/\d+$"))
    expect(page.locator("main")).to_contain_text("Trần Thị Hường")
    page.goto(roster_url)

    # imports a messy spreadsheet: preview with errors, then confirm
    page.get_by_role("link", name="Nhập từ tệp Excel/CSV").click()
    page.get_by_label("Tệp danh sách").set_input_files(
        files=[{"name": "ds-to-7.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": messy_xlsx(foreign)}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.locator("#accepted-count")).to_have_text(str(MESSY_ACCEPTED))
    expect(page.locator("#rejected-count")).to_have_text(str(MESSY_REJECTED))
    expect(page.locator("#warned-count")).to_have_text(str(MESSY_WARNED))
    expect(page.locator(".import-report")).to_contain_text("Số CCCD này đã có trong danh sách của Phường Trúc Bạch.")
    expect(page.locator(".import-report")).to_contain_text("Giới tính phải là Nam hoặc Nữ.")
    page.screenshot(path=SHOTS.format("5-import-preview"), full_page=True)
    page.get_by_role("button", name=f"Nhập {MESSY_ACCEPTED} dòng hợp lệ").click()
    expect(page.locator("#flash")).to_contain_text(f"Đã nhập {MESSY_ACCEPTED} người")
    page.get_by_role("link", name=re.compile("Dòng chờ xử lý")).click()
    expect(page.locator("main")).to_contain_text("Vũ Văn Em")
    page.screenshot(path=SHOTS.format("6-doubtful"))

    # submits
    page.goto(roster_url)
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#roster-status")).to_have_text("Đã gửi duyệt")
    _sign_out(page)

    # the district officer returns it with a reason
    sign_in(page, portal_url, "quan")
    page.goto(f"{portal_url}/rosters/?status=submitted")
    page.get_by_role("link", name="Phường Phúc Xá").click()
    page.screenshot(path=SHOTS.format("7-district-review"))
    page.get_by_label("Lý do trả lại").fill("Thiếu số CCCD của người từ 14 tuổi ở tổ 7.")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#roster-status")).to_have_text("Bị trả lại")
    _sign_out(page)

    # the clerk sees why, fixes and resubmits
    sign_in(page, portal_url, "xa1")
    page.goto(roster_url)
    expect(page.locator("main")).to_contain_text("Thiếu số CCCD của người từ 14 tuổi ở tổ 7.")
    page.screenshot(path=SHOTS.format("8-returned"))
    page.get_by_label("Tìm theo họ tên").fill("pham thi dung")
    expect(page.locator("#people .count")).to_contain_text("khớp “pham thi dung”")
    row = page.locator("#people-rows tr", has_text="Phạm Thị Dung").first
    expect(row).to_be_visible()
    row.get_by_role("link", name=re.compile("Sửa")).click()
    editing = page.locator("#people-rows tr.editing")
    editing.get_by_label("Số điện thoại").fill("0904 555 666")
    editing.get_by_role("button", name="Lưu").click()
    expect(page.locator("#people-rows")).to_contain_text("0904555666")
    page.get_by_role("button", name="Gửi duyệt lại").click()
    expect(page.locator("#roster-status")).to_have_text("Đã gửi duyệt")
    _sign_out(page)

    # the officer approves
    sign_in(page, portal_url, "quan")
    page.goto(roster_url)
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.locator("#roster-status")).to_have_text("Đã phê duyệt")
    _sign_out(page)

    # the roster is now read-only for the clerk
    sign_in(page, portal_url, "xa1")
    page.goto(roster_url)
    expect(page.locator("main")).to_contain_text("bị khóa")
    expect(page.locator("#add-person")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Sửa"))).to_have_count(0)
    expect(page.get_by_role("button", name="Gửi duyệt")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("Trả lại")
    expect(page.locator(".timeline")).to_contain_text("Phê duyệt")
    page.screenshot(path=SHOTS.format("9-approved"), full_page=True)
