"""The directive journey in a browser: the office registers a directive from the seeds with three
tasks, Sở Y tế accepts and hands one to staff, staff report, the head approves, the office accepts;
then days pass and the district task turns overdue: red on the office's list and in the bell."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal import create_app
from portal.extensions import db
from portal.timeutil import local_today
from tests.browser.conftest import LiveServer, sign_in
from tests.conftest import make_config

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SEED_EXCERPT = ("Về việc tổ chức xét nghiệm, tiêm chủng vắc xin phòng COVID-19 và bảo đảm an ninh trật tự "
                "tại các điểm lấy mẫu")
SEED_BODY = ("UBND thành phố giao Công an thành phố phối hợp các lực lượng khác trong việc huy động người dân tham "
             "gia xét nghiệm và tiêm chủng; Sở Giao thông vận tải được giao chuẩn bị nhân lực và phương tiện.")


@pytest.fixture(scope="module")
def journey_server(databases, tmp_path_factory):
    uri = databases.create(with_demo=True)
    uploads = tmp_path_factory.mktemp("uploads")
    app = create_app(make_config(uri, WTF_CSRF_ENABLED=True, UPLOAD_DIR=str(uploads)))
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


def _vn(day):
    return day.strftime("%d/%m/%Y")


def _sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()


def _add_task(page, content, lead, deadline, coordinators=(), rhythm=None, target=""):
    form = page.locator("#add-task")
    form.get_by_label("Nội dung nhiệm vụ").fill(content)
    form.get_by_label("Đơn vị chủ trì").select_option(label=lead)
    for name in coordinators:
        form.get_by_label(name, exact=True).check()
    form.get_by_label("Hạn hoàn thành (hoặc ngày kết thúc báo cáo)").fill(_vn(deadline))
    if rhythm:
        form.get_by_label("Chế độ báo cáo").select_option(label=rhythm)
    if target:
        form.get_by_label("Chỉ tiêu (nếu có)").fill(target)
    form.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.get_by_text("Đã giao nhiệm vụ.")).to_be_visible()
    task_url = page.url
    page.get_by_role("link", name="Công văn 2405/UBND-KGVX").click()
    return task_url


def test_directive_from_seed_to_accepted_and_overdue(page, journey_server, tmp_path):
    url = journey_server.url
    today = local_today()
    pdf = tmp_path / "CV-2405-UBND-KGVX.pdf"
    pdf.write_bytes(PDF)

    # The steering office registers the directive.
    sign_in(page, url, "vanphong")
    page.screenshot(path="/tmp/home_vanphong.png", full_page=True)
    page.get_by_role("link", name="Văn bản chỉ đạo", exact=True).click()
    page.get_by_role("link", name="Đăng ký văn bản", exact=True).click()
    page.get_by_label("Số, ký hiệu").fill("2405/UBND-KGVX")
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Cơ quan ban hành").fill("UBND thành phố Hà Nội")
    page.get_by_label("Ngày ban hành").fill("06/09/2021")
    page.get_by_label("Người ký").fill("Phạm Văn Hòa")
    page.get_by_label("Trích yếu").fill(SEED_EXCERPT)
    page.get_by_label("Nội dung").fill(SEED_BODY)
    page.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    page.screenshot(path="/tmp/directive_new.png", full_page=True)
    page.get_by_role("button", name="Đăng ký văn bản").click()
    expect(page.get_by_text("Đã đăng ký văn bản 2405/UBND-KGVX.")).to_be_visible()
    expect(page.get_by_role("link", name="CV-2405-UBND-KGVX.pdf")).to_be_visible()

    # Three tasks: Sở Y tế with two coordinating units, a district task, a reporting task.
    syt_task = _add_task(page, "Tổ chức lấy mẫu xét nghiệm cho người dân tại khu vực phong tỏa, ít nhất 3 lần.",
                         "Sở Y tế", today + timedelta(days=30), ["Công an thành phố", "Sở Giao thông vận tải"],
                         target="3 lần lấy mẫu tại khu vực phong tỏa")
    district_task = _add_task(page, "Phân công nhân lực nhập 100% dữ liệu lấy mẫu ngay khi lấy mẫu.",
                              "Quận Ba Đình", today + timedelta(days=5))
    _add_task(page, "Báo cáo hằng tuần tiến độ kết nối hội nghị trực tuyến đến cấp xã.",
              "Sở Thông tin và Truyền thông", today + timedelta(days=28), rhythm="Báo cáo hằng tuần")
    expect(page.locator("#task-table tbody tr")).to_have_count(3)
    page.screenshot(path="/tmp/directive_show.png", full_page=True)
    _sign_out(page)

    # The head of Sở Y tế sees the new task in the bell, accepts it and hands it to staff.
    sign_in(page, url, "soyte")
    bell = page.locator("#bell")
    expect(bell).to_have_class("bell has-items urgent")
    bell.click()
    page.get_by_role("link", name="Tổ chức lấy mẫu xét nghiệm cho người dân").click()
    page.get_by_role("button", name="Tiếp nhận nhiệm vụ").click()
    expect(page.get_by_text("Đã tiếp nhận nhiệm vụ.")).to_be_visible()
    page.get_by_label("Chuyên viên").select_option(label="Lê Văn Hùng")
    page.get_by_role("button", name="Giao cho chuyên viên").click()
    expect(page.get_by_text("Đã giao nhiệm vụ cho chuyên viên.")).to_be_visible()
    _sign_out(page)

    # Staff report progress (with a file) and completion.
    sign_in(page, url, "chuyenvien")
    page.goto(syt_task)
    report = page.locator("#report-form")
    report.get_by_label("Nội dung báo cáo").fill("Hoàn thành lần lấy mẫu thứ nhất tại 100% khu vực phong tỏa.")
    report.get_by_label("Tỷ lệ hoàn thành (%)").fill("40")
    report.get_by_label("Tệp đính kèm (PDF, Word, Excel, ảnh; tối đa 5 MB mỗi tệp)").set_input_files(str(pdf))
    report.get_by_role("button", name="Gửi báo cáo tiến độ").click()
    expect(page.get_by_text("Đã gửi báo cáo tiến độ.")).to_be_visible()
    expect(page.locator(".timeline").get_by_role("link", name="CV-2405-UBND-KGVX.pdf")).to_be_visible()
    completion = page.locator("#completion-form")
    completion.get_by_label("Báo cáo kết quả hoàn thành").fill("Đã hoàn thành 3 lần lấy mẫu tại khu vực phong tỏa.")
    completion.get_by_role("button", name="Gửi báo cáo hoàn thành").click()
    expect(page.get_by_text("Chờ lãnh đạo duyệt")).to_be_visible()
    _sign_out(page)

    # The head approves.
    sign_in(page, url, "soyte")
    page.goto(syt_task)
    page.screenshot(path="/tmp/task_to_approve.png", full_page=True)
    page.get_by_role("button", name="Duyệt báo cáo hoàn thành").click()
    expect(page.get_by_text("Chờ văn phòng nghiệm thu")).to_be_visible()
    _sign_out(page)

    # The office accepts.
    sign_in(page, url, "vanphong")
    page.locator("#bell").click()
    page.get_by_role("link", name="Tổ chức lấy mẫu xét nghiệm cho người dân").first.click()
    page.get_by_role("button", name="Nghiệm thu, xác nhận hoàn thành").click()
    expect(page.locator(".task-facts .badge.status-done_on_time")).to_have_text("Hoàn thành đúng hạn")
    page.screenshot(path="/tmp/task_done.png", full_page=True)

    # Six days later the district task has not been done: overdue, in red, and in the bell.
    journey_server.app.config["STATUS_TODAY"] = (today + timedelta(days=6)).isoformat()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Nhiệm vụ", exact=True).click()
    page.get_by_role("link", name="Quá hạn", exact=True).click()
    row = page.locator("tr.task-row", has_text="Phân công nhân lực nhập 100% dữ liệu")
    expect(row).to_have_class("task-row status-overdue")
    expect(row.locator(".badge.status-overdue")).to_have_text("Chưa hoàn thành, quá hạn")
    assert row.locator("td").first.evaluate("e => getComputedStyle(e).color") == "rgb(164, 22, 26)"
    page.screenshot(path="/tmp/tasks_overdue.png", full_page=True)
    page.locator("#bell").click()
    notice = page.locator(".notice.overdue", has_text="Phân công nhân lực nhập 100% dữ liệu")
    expect(notice).to_contain_text("Nhiệm vụ quá hạn")
    notice.get_by_role("link").click()
    assert page.url == district_task
    page.goto(f"{url}/tasks/overview")
    page.screenshot(path="/tmp/tasks_overview.png", full_page=True)
    page.goto(f"{url}/directives")
    page.screenshot(path="/tmp/directives_list.png", full_page=True)
    journey_server.app.config["STATUS_TODAY"] = None


def test_bell_refreshes_itself_by_polling(page, journey_server):
    sign_in(page, journey_server.url, "congan")
    bell = page.locator("#bell")
    expect(bell).to_have_attribute("hx-trigger", "every 30s")
    count = int(bell.locator(".bell-count").inner_text())
    assert count >= 1
    page.goto(f"{journey_server.url}/notifications")
    expect(page.get_by_text("Nhiệm vụ mới cần tiếp nhận").first).to_be_visible()
    page.screenshot(path="/tmp/notifications.png", full_page=True)


@pytest.mark.parametrize("username, paths", [
    ("vanphong", ["/directives", "/directives/new", "/tasks?view=overdue", "/tasks/overview", "/notifications"]),
    ("chuyenvien", ["/tasks"]),
])
def test_directive_pages_are_accessible(page, journey_server, username, paths):
    from axe_playwright_python.sync_playwright import Axe

    sign_in(page, journey_server.url, username)
    found = {}
    for path in paths + ["__first_directive__", "__first_task__"]:
        if path == "__first_directive__":
            page.goto(f"{journey_server.url}/directives")
            page.locator("#directive-rows a").first.click()
        elif path == "__first_task__":
            page.goto(f"{journey_server.url}/tasks")
            page.locator("#task-table tbody a").first.click()
            page.screenshot(path=f"/tmp/task_page_{username}.png", full_page=True)
        else:
            page.goto(f"{journey_server.url}{path}")
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                      for v in Axe().run(page).response["violations"]]
        if violations:
            found[page.url] = violations
    assert found == {}


def test_directive_search_narrows_the_list_as_you_type(page, journey_server):
    sign_in(page, journey_server.url, "vanphong")
    page.goto(f"{journey_server.url}/directives")
    rows = page.locator("#directive-rows tr")
    expect(rows.filter(has_text="203/KH-UBND")).to_have_count(1)
    assert rows.count() >= 2
    page.get_by_label("Tìm kiếm (không cần dấu)").fill("hoi nghi truc tuyen")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2310/UBND-KGVX")
    expect(page).to_have_url(re.compile(r"/directives\?q=hoi(%20|\+)nghi"))  # the URL follows the search
    page.get_by_label("Tìm kiếm (không cần dấu)").fill("")
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("203/KH-UBND")
