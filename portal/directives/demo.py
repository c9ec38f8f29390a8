"""Demo directives: the two seed texts (shared/seeds/) as real directives, with tasks in every status.

Dates are those of the 2021 campaign (Aug–Sep 2021). Statuses are derived against the real
today, so every 2021 task not done by now is overdue; the standing tasks of the second directive
("thường xuyên", still in force) get deadlines relative to the day the demo is loaded, so that
"within deadline", "due soon" and "not yet accepted" show up too. Deterministic apart from that."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.directives import services, uploads
from portal.directives.models import Attachment, DocType, EventKind, Task, TaskState
from portal.directives.status import Rhythm
from portal.extensions import db
from portal.timeutil import local_today
from portal.units.services import by_code

# A small, valid one-page PDF (ASCII text; stands in for the scanned directive).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 14 Tf 72 770 Td (UBND thanh pho Ha Noi - ban chup) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Times-Roman>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

D1_BODY = (
    "Các địa phương được giao chỉ đạo rà soát, lập danh sách người lấy mẫu xét nghiệm, danh sách người tiêm "
    "chủng và huy động đầy đủ số lượng thực hiện theo Kế hoạch; phân công lực lượng đảm bảo an ninh trật tự, "
    "hướng dẫn người dân thực hiện quy định về an toàn phòng, chống dịch tại khu vực lấy mẫu xét nghiệm và các "
    "điểm tiêm; chỉ đạo việc chuyển mẫu xét nghiệm tới các cơ sở thực hiện xét nghiệm theo phân luồng tiếp nhận "
    "mẫu xét nghiệm.\n\n"
    "UBND thành phố giao Công an thành phố phối hợp các lực lượng khác trong việc huy động người dân tham gia "
    "xét nghiệm và tiêm chủng, chỉ đạo lực lượng công an cơ sở bảo đảm an ninh trật tự tại các điểm lấy mẫu xét "
    "nghiệm và tiêm chủng; Sở Giao thông vận tải chuẩn bị nhân lực và phương tiện để sẵn sàng phối hợp, hỗ trợ "
    "công tác lấy mẫu, xét nghiệm, tiêm chủng trên địa bàn thành phố khi có yêu cầu. Sở Công Thương chỉ đạo các "
    "đơn vị theo lĩnh vực quản lý như các chuỗi cung ứng, dịch vụ thiết yếu, các cụm công nghiệp, chợ đầu mối.\n\n"
    "UBND các quận, huyện, thị xã chỉ đạo, phân công nhân lực để nhập 100% dữ liệu lấy mẫu xét nghiệm ngay từ "
    "khi lấy mẫu và cập nhật vào hệ thống để báo cáo theo thời gian thực."
)
D2_BODY = (
    "Chủ tịch UBND thành phố chỉ đạo Sở Y tế phối hợp với các cơ quan, đơn vị có liên quan huy động toàn bộ lực "
    "lượng tổ chức lấy mẫu, thực hiện xét nghiệm sàng lọc cho tất cả người dân tại các khu vực phong tỏa, khu "
    "vực có nguy cơ lây nhiễm cao, ít nhất 3 lần, hoàn thành trước ngày 15/9/2021; các khu vực khác lấy mẫu xét "
    "nghiệm ít nhất 1 lần. Triển khai thiết lập các trạm y tế lưu động.\n\n"
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với các cơ quan, đơn vị, địa phương rà soát triển khai hệ "
    "thống Hội nghị trực tuyến xuống đến cấp huyện, các xã, phường, thị trấn để kết nối thông suốt với Chính phủ.\n\n"
    "Tiếp tục đảm bảo an sinh xã hội, không để người dân thiếu đói; tăng cường theo dõi, kiểm tra, giám sát "
    "theo phương châm mỗi xã, phường là một “pháo đài”, mỗi người dân là một “chiến sỹ”."
)


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _at(day: date, hour: int = 9) -> datetime:
    # Stored times are UTC; 09:00 in Hà Nội is 02:00 UTC.
    return datetime.combine(day, time(hour)) - timedelta(hours=7)


class _Story:
    """Writes one task's history as it would have happened, day by day."""

    def __init__(self, task: Task):
        self.task = task

    def event(self, kind, who, day, text="", percent=None, unit=None, files=()):
        actor = _user(who) if who else None
        event = services.record_event(actor, self.task, kind, unit=unit or self.task.lead_unit, text=text,
                                      percent=percent, reported_on=day, at=_at(day, 9 + len(self.task.events) % 8))
        db.session.flush()
        for name, data in files:
            stored = uploads.store(data, name, "pdf", "application/pdf")
            db.session.add(Attachment(task_id=self.task.id, event=event, file_name=stored.file_name,
                                      stored_name=stored.stored_name, content_type=stored.content_type,
                                      size=stored.size))
        return self

    def accept(self, who, day):
        self.task.state, self.task.accepted_on = TaskState.ACCEPTED, day
        return self.event(EventKind.ACCEPTED, who, day)

    def assign(self, who, day, staff):
        self.task.assignee = _user(staff)
        return self.event(EventKind.ASSIGNED, who, day, f"Giao cho {self.task.assignee.full_name}")

    def progress(self, who, day, text, percent, files=()):
        return self.event(EventKind.PROGRESS, who, day, text, percent, files=files)

    def submit(self, who, day, text, head=False):
        self.task.state = TaskState.APPROVED if head else TaskState.SUBMITTED
        return self.event(EventKind.SUBMITTED, who, day, text, 100)

    def approve(self, who, day):
        self.task.state = TaskState.APPROVED
        return self.event(EventKind.HEAD_APPROVED, who, day)

    def office_accept(self, day):
        last = [e for e in self.task.events if e.kind is EventKind.SUBMITTED][-1]
        self.task.state, self.task.completed_on = TaskState.DONE, last.reported_on
        return self.event(EventKind.OFFICE_ACCEPTED, "vanphong", day, unit=self.task.directive.unit)

    def reopen(self, day, reason):
        self.task.state, self.task.completed_on, self.task.return_reason = TaskState.ACCEPTED, None, reason
        return self.event(EventKind.REOPENED, "vanphong", day, reason, unit=self.task.directive.unit)


def _task(directive, content, lead, coordinators=(), deadline=None, rhythm=None, starts_on=None, target=""):
    vanphong = _user("vanphong")
    task = services.add_task(vanphong, directive, content=content, lead_unit=by_code(lead),
                             coordinators=[by_code(c) for c in coordinators], deadline=deadline, rhythm=rhythm,
                             target=target, starts_on=starts_on or directive.issued_on)
    created = task.events[0]
    created.created_at, created.reported_on = _at(task.starts_on, 8), task.starts_on
    return _Story(task)


def load(today: date | None = None) -> None:
    today = today or local_today()
    vanphong = _user("vanphong")
    province = by_code("01")

    class _Pdf:  # a FileStorage look-alike for register_directive
        def __init__(self, name):
            import io

            self.filename, self.stream = name, io.BytesIO(DEMO_PDF)

    d1 = services.register_directive(
        vanphong, province, number_symbol="203/KH-UBND", doc_type=DocType.KE_HOACH,
        issuer="UBND thành phố Hà Nội", issued_on=date(2021, 9, 5), signer="Phạm Văn Hòa",
        excerpt="Kế hoạch tổ chức xét nghiệm và tiêm chủng vắc xin phòng COVID-19 diện rộng trên địa bàn thành phố",
        body=D1_BODY, file=_Pdf("KH-203-UBND-2021.pdf"))
    d2 = services.register_directive(
        vanphong, province, number_symbol="2310/UBND-KGVX", doc_type=DocType.CONG_VAN,
        issuer="UBND thành phố Hà Nội", issued_on=date(2021, 8, 27), signer="Phạm Văn Hòa",
        excerpt="Về việc tăng cường xét nghiệm sàng lọc tại khu vực phong tỏa và kết nối hội nghị trực tuyến "
                "đến cấp xã", body=D2_BODY, file=_Pdf("CV-2310-UBND-KGVX.pdf"))
    for d in (d1, d2):
        d.created_at = _at(d.issued_on, 15)

    # 1. Done on time: Sở Y tế leads with Công an and Sở GTVT coordinating.
    (_task(d1, "Tổ chức lấy mẫu, xét nghiệm sàng lọc cho toàn bộ người dân tại khu vực phong tỏa, khu vực có "
               "nguy cơ lây nhiễm cao, ít nhất 3 lần, hoàn thành trước ngày 15/9/2021; các khu vực khác ít nhất 1 lần.",
           "SYT", ["CATP", "SGTVT"], deadline=date(2021, 9, 15),
           target="3 lần lấy mẫu tại khu vực phong tỏa, nguy cơ cao")
     .accept("soyte", date(2021, 9, 5)).assign("soyte", date(2021, 9, 6), "chuyenvien")
     .progress("chuyenvien", date(2021, 9, 8), "Hoàn thành lần lấy mẫu thứ nhất tại 100% khu vực phong tỏa.", 40,
               files=[("bao-cao-lan-1.pdf", DEMO_PDF)])
     .event(EventKind.CONTRIBUTION, "congan", date(2021, 9, 9),
            "Công an thành phố bố trí lực lượng bảo đảm an ninh trật tự tại 312 điểm lấy mẫu.", unit=by_code("CATP"))
     .progress("chuyenvien", date(2021, 9, 12), "Hoàn thành lần lấy mẫu thứ hai; đang triển khai lần thứ ba.", 80)
     .submit("chuyenvien", date(2021, 9, 14), "Đã hoàn thành 3 lần lấy mẫu tại toàn bộ khu vực phong tỏa, nguy cơ cao.")
     .approve("soyte", date(2021, 9, 15)).office_accept(date(2021, 9, 16)))

    # 2. Done late: Công an.
    (_task(d1, "Chỉ đạo lực lượng công an cơ sở bảo đảm an ninh trật tự tại các điểm lấy mẫu xét nghiệm và tiêm chủng; "
               "phối hợp huy động người dân tham gia.", "CATP", deadline=date(2021, 9, 20))
     .accept("congan", date(2021, 9, 6))
     .progress("congan", date(2021, 9, 15), "Đã bố trí lực lượng tại 90% điểm lấy mẫu.", 90)
     .submit("congan", date(2021, 9, 23), "Hoàn thành bố trí lực lượng tại toàn bộ điểm lấy mẫu và điểm tiêm.", head=True)
     .office_accept(date(2021, 9, 24)))

    # 3. Overdue: Sở GTVT, accepted but never finished.
    (_task(d1, "Chuẩn bị nhân lực và phương tiện sẵn sàng phối hợp, hỗ trợ công tác lấy mẫu, xét nghiệm, tiêm chủng "
               "trên địa bàn thành phố khi có yêu cầu.", "SGTVT", deadline=date(2021, 9, 10))
     .accept(None, date(2021, 9, 7)).progress(None, date(2021, 9, 9), "Đã bố trí 40 xe cứu thương dự phòng.", 60))

    # 4. Overdue and never accepted: Sở Công Thương.
    _task(d1, "Chỉ đạo các chuỗi cung ứng, dịch vụ thiết yếu, cụm công nghiệp, chợ đầu mối tổ chức xét nghiệm cho "
              "người lao động.", "SCT", deadline=date(2021, 9, 12))

    # 5. Reporting task done on time: Quận Ba Đình reports every day until 30/9/2021.
    story = (_task(d1, "Phân công nhân lực nhập 100% dữ liệu lấy mẫu xét nghiệm ngay từ khi lấy mẫu, cập nhật vào hệ "
                       "thống để báo cáo theo thời gian thực.", "001", rhythm=Rhythm.DAILY,
                   deadline=date(2021, 9, 30), starts_on=date(2021, 9, 6))
             .accept("quan", date(2021, 9, 6)))
    day = date(2021, 9, 6)
    while day < date(2021, 9, 30):
        done = min(100, (day - date(2021, 9, 6)).days * 4 + 4)
        story.progress("quan", day, f"Đã nhập dữ liệu {done}% số mẫu đã lấy trong ngày trên địa bàn quận.", done)
        day += timedelta(days=1)
    story.submit("quan", date(2021, 9, 30), "Hoàn thành nhập 100% dữ liệu lấy mẫu theo thời gian thực.", head=True)
    story.office_accept(date(2021, 10, 1))

    # 6. Commune done on time: Phường Phúc Xá.
    (_task(d1, "Rà soát, lập danh sách người lấy mẫu xét nghiệm và người tiêm chủng trên địa bàn phường.", "00001",
           deadline=date(2021, 9, 8))
     .accept("xa1", date(2021, 9, 5))
     .progress("xa1", date(2021, 9, 6), "Đã rà soát 12/15 tổ dân phố.", 80, files=[("danh-sach-to-1-12.pdf", DEMO_PDF)])
     .submit("xa1", date(2021, 9, 7), "Hoàn thành danh sách 15/15 tổ dân phố.", head=True)
     .office_accept(date(2021, 9, 8)))

    # 7. Commune report waiting for the office, past its deadline: Phường Trúc Bạch.
    (_task(d1, "Rà soát, lập danh sách người lấy mẫu xét nghiệm và người tiêm chủng trên địa bàn phường.", "00004",
           deadline=date(2021, 9, 8))
     .accept("xa2", date(2021, 9, 6))
     .submit("xa2", date(2021, 9, 10), "Hoàn thành danh sách; còn 2 tổ dân phố bổ sung sau.", head=True))

    # 8. Reopened after acceptance, now overdue: Sở Y tế (mobile medical stations).
    (_task(d2, "Triển khai thiết lập các trạm y tế lưu động bảo đảm hỗ trợ y tế, xét nghiệm, điều trị người nhiễm "
               "COVID-19 phù hợp với điều kiện thực tế của địa phương.", "SYT", ["00001"], deadline=date(2021, 9, 5))
     .accept("soyte", date(2021, 8, 28)).assign("soyte", date(2021, 8, 28), "chuyenvien")
     .submit("chuyenvien", date(2021, 9, 4), "Đã thiết lập 30 trạm y tế lưu động.")
     .approve("soyte", date(2021, 9, 4)).office_accept(date(2021, 9, 6))
     .reopen(date(2021, 9, 20), "Chưa có trạm y tế lưu động tại phường Phúc Xá; đề nghị bổ sung."))

    # 9. Weekly reports (Sở TT&TT): one week missing, so overdue.
    start = date(2021, 8, 30)
    story = (_task(d2, "Rà soát, triển khai hệ thống hội nghị trực tuyến xuống đến cấp xã; lắp đặt điện thoại cố định "
                       "tại điểm cầu cấp xã; báo cáo tiến độ hằng tuần.", "STTTT", rhythm=Rhythm.WEEKLY,
                   deadline=date(2021, 10, 31), starts_on=start)
             .accept(None, start))
    for week in (0, 1, 3):
        story.progress(None, start + timedelta(days=7 * week + 4), f"Tuần {week + 1}: đã kết nối thêm điểm cầu cấp xã.",
                       20 * (week + 1))

    # Standing tasks still in force (deadlines relative to the day the demo is loaded).
    monday = today - timedelta(days=today.weekday())
    # 10. Within the deadline, weekly reports up to date: Sở Y tế, handed to staff.
    story = (_task(d2, "Duy trì các trạm y tế lưu động, báo cáo hằng tuần số ca được hỗ trợ, xét nghiệm, điều trị.",
                   "SYT", ["CDC"], rhythm=Rhythm.WEEKLY, deadline=today + timedelta(days=60),
                   starts_on=monday - timedelta(days=21))
             .accept("soyte", monday - timedelta(days=21)).assign("soyte", monday - timedelta(days=21), "chuyenvien"))
    for week in range(3):
        story.progress("chuyenvien", monday - timedelta(days=21 - 7 * week - 4),
                       f"Tuần {week + 1}: các trạm lưu động hoạt động bình thường.", 10 * (week + 1))
    # 11. Due soon: Quận Ba Đình.
    (_task(d2, "Tăng cường theo dõi, kiểm tra, giám sát để kịp thời phát hiện, chấn chỉnh, khắc phục hạn chế, yếu kém "
               "theo phương châm mỗi xã, phường là một “pháo đài”.", "001", ["00001", "00004"],
           deadline=today + timedelta(days=2), starts_on=today - timedelta(days=30))
     .accept("quan", today - timedelta(days=29))
     .progress("quan", today - timedelta(days=7), "Đã kiểm tra 10/14 phường.", 70))
    # 12. Not yet accepted, within the deadline: Công an.
    _task(d2, "Kịp thời xử lý nghiêm các hành vi vi phạm quy định phòng, chống dịch; báo cáo kết quả.", "CATP",
          deadline=today + timedelta(days=20), starts_on=today - timedelta(days=1))
    # 13. Completion report waiting for the head of Sở Y tế.
    (_task(d2, "Tổng hợp, báo cáo tình hình xét nghiệm của các bệnh viện, cơ sở y tế tư nhân trên địa bàn thành phố.",
           "SYT", deadline=today + timedelta(days=10), starts_on=today - timedelta(days=14))
     .accept("soyte", today - timedelta(days=13)).assign("soyte", today - timedelta(days=13), "chuyenvien")
     .progress("chuyenvien", today - timedelta(days=6), "Đã tổng hợp số liệu của 42/48 cơ sở.", 85)
     .submit("chuyenvien", today - timedelta(days=1), "Đã tổng hợp đủ số liệu 48/48 cơ sở."))
    # 14. Weekly social-welfare reports of Phường Phúc Xá: last week missing, so overdue.
    story = (_task(d2, "Tiếp tục đảm bảo an sinh xã hội, không để người dân thiếu đói; báo cáo hằng tuần.", "00001",
                   rhythm=Rhythm.WEEKLY, deadline=today + timedelta(days=30), starts_on=monday - timedelta(days=21))
             .accept("xa1", monday - timedelta(days=21)))
    for week in range(2):
        story.progress("xa1", monday - timedelta(days=21 - 7 * week - 3),
                       f"Tuần {week + 1}: đã hỗ trợ lương thực cho các hộ khó khăn.", 30 * (week + 1))
    db.session.flush()
