"""The roster printout read back from the PDF: text, fonts, pages, repeated headers, order."""
import re
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.reports import services
from portal.reports.models import ReportKind
from portal.rosters.models import Person
from portal.text import name_sort_key
from portal.units.services import by_code
from tests.reports.report_helpers import make_roster, pdf_fonts, pdf_pages, pdf_text

ROW = re.compile(r"^\s*(\d+)\s+(\S.*?)\s+(\d\d/\d\d/\d{4}|\d{4})\s+(Nam|Nữ)\b")


def _params(roster, **extra):
    syt = by_code("SYT")
    params = {"subject_unit_id": roster.unit_id, "roster_id": roster.id, "site_id": None,
              **services.default_document_fields(syt), "signer_name": "Nguyễn Văn Bình",
              "signed_on": date(2021, 9, 5).isoformat()}
    params.update(extra)
    return params


def _issue(roster, **extra):
    job = services.produce_now(None, ReportKind.ROSTER, _params(roster, **extra), issue=True, issuer=by_code("SYT"))
    db.session.commit()
    return job


def test_roster_of_1000_people_every_row_on_one_line_headers_repeated_fonts_embedded(app, tmp_path):
    roster = make_roster("00001", 1000)
    job = _issue(roster)
    pages = pdf_pages(job.pdf, tmp_path)
    assert len(pages) == job.page_count and 30 <= job.page_count <= 60

    first = pages[0]
    for text in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ Y TẾ", "Số: 01/BC-SYT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 05 tháng 9 năm 2021", "DANH SÁCH",
                 "Người được lấy mẫu xét nghiệm SARS-CoV-2", "Tổng số: 1.000 người"):
        assert text in first, text
    closing = pages[-1]
    assert "Nơi nhận:" in closing and "- Lưu: VT, SYT." in closing and "Nguyễn Văn Bình" in closing
    assert "KT. GIÁM ĐỐC" in closing and "PHÓ GIÁM ĐỐC" in closing

    # The table header repeats on every page that carries rows; page numbers from page 2 on.
    layout_pages = pdf_text(job.pdf, tmp_path, layout=True).split("\f")
    pages_with_rows = 0
    for index, page in enumerate(pages, start=1):
        if any(ROW.match(line) for line in layout_pages[index - 1].splitlines()):
            pages_with_rows += 1
            assert "Họ và tên" in page and "Ký xác" in page, f"header missing on page {index}"
        if index > 1:
            assert page.lstrip().startswith(str(index)), f"no page number on page {index}"
    assert pages_with_rows >= len(pages) - 1
    assert not pages[0].lstrip().startswith("1\n")

    # Every person appears once, name and birth date on the row of its STT (no row cut in two),
    # grouped by zone (lockdown first) and in Vietnamese order within a zone.
    people = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).all()
    expected = {}
    zone_rank = {"lockdown": 0, "high_risk": 1, "other": 2}
    ordered = sorted(people, key=lambda p: (zone_rank[p.zone.value], name_sort_key(p.full_name), p.birth_year, p.id))
    for stt, person in enumerate(ordered, start=1):
        expected[stt] = (person.full_name, person.birth_date.strftime("%d/%m/%Y"))
    found = {}
    for page in pdf_text(job.pdf, tmp_path, layout=True).split("\f"):
        for line in page.splitlines():
            match = ROW.match(line)
            if match:
                stt = int(match.group(1))
                assert stt not in found, f"STT {stt} printed twice"
                found[stt] = (match.group(2).strip(), match.group(3))
    assert found == expected

    fonts = pdf_fonts(job.pdf, tmp_path)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    assert {f["name"].split("+")[-1] for f in fonts} >= {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"}


def test_roster_printout_keeps_vietnamese_diacritics_and_cccd(app, tmp_path):
    roster = make_roster("00004", 12, seed=3)
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    person.full_name = "Đặng Thị Ễ Ộ Ưu"
    person.cccd = "001301012345"
    db.session.commit()
    text = pdf_text(_issue(roster).pdf, tmp_path)
    assert "Đặng Thị Ễ Ộ Ưu" in text and "001301012345" in text
    assert "Phường Trúc Bạch" in text


def test_issued_numbers_follow_the_register_per_unit_and_year(app):
    roster = make_roster("00001", 3)
    assert _issue(roster).issued_report.number_text == "01/BC-SYT"
    assert _issue(roster).issued_report.number_text == "02/BC-SYT"
    # A new year opens a new register.
    assert _issue(roster, signed_on="2022-01-05").issued_report.number_text == "01/BC-SYT"


def test_reprint_gives_identical_bytes_and_snapshot_renders_the_same(app, tmp_path):
    roster = make_roster("00001", 5)
    issued = _issue(roster).issued_report
    again = services.rerender_issued(issued)
    assert again.pdf == issued.pdf
    # The data changes afterwards; the issued document does not.
    db.session.execute(Person.__table__.delete().where(Person.roster_id == roster.id))
    db.session.commit()
    assert services.rerender_issued(issued).pdf == issued.pdf


def test_roster_without_a_site_says_it_is_the_whole_list_of_the_commune(app, tmp_path):
    from portal.campaigns.models import Site, SiteKind
    from portal.rosters.models import RosterKind

    testing = make_roster("00001", 4)
    flat = " ".join(pdf_text(services.produce_now(None, ReportKind.ROSTER, _params(testing), issue=False).pdf,
                             tmp_path).split())
    assert "Toàn bộ danh sách của Phường Phúc Xá — Chiến dịch kiểm thử báo cáo" in flat
    assert "Điểm lấy mẫu: Phường Phúc Xá" not in flat
    vaccination = make_roster("00001", 3, kind=RosterKind.VACCINATION)
    flat = " ".join(pdf_text(services.produce_now(None, ReportKind.ROSTER, _params(vaccination), issue=False).pdf,
                             tmp_path).split())
    assert "Toàn bộ danh sách của Phường Phúc Xá" in flat and "Điểm tiêm: Phường Phúc Xá" not in flat
    # With a site chosen, the sub-line names the site and its commune.
    site = Site(campaign_id=testing.campaign_id, unit_id=testing.unit_id, kind=SiteKind.SAMPLING_POINT,
                name="Nhà văn hóa tổ 5")
    db.session.add(site)
    db.session.commit()
    flat = " ".join(pdf_text(services.produce_now(None, ReportKind.ROSTER, _params(testing, site_id=site.id),
                                                  issue=False).pdf, tmp_path).split())
    assert "Nhà văn hóa tổ 5 (Phường Phúc Xá) — Chiến dịch kiểm thử báo cáo" in flat
    assert "Toàn bộ danh sách" not in flat
