"""Import: preview, commit all-or-nothing, doubtful rows, every kind of bad file, the CLI."""
import io
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from portal import bulk
from portal.extensions import db
from portal.rosters import imports, services
from portal.rosters.models import BatchStatus, ImportBatch, Person, Zone
from tests.rosters.roster_files import (
    MESSY_ACCEPTED, MESSY_REJECTED, MESSY_WARNED, messy_xlsx, simple_xlsx, xml_entity_xlsx, zip_bomb,
)
from tests.rosters.roster_helpers import count_people, roster_of


def foreign_cccd() -> str:
    return db.session.scalars(select(Person.cccd).where(Person.roster_id == roster_of("00004").id,
                                                        Person.cccd.like("001%"))).first()


def upload(client, roster, content: bytes, name: str = "ds.xlsx"):
    return client.post(f"/rosters/{roster.id}/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def latest_batch(roster) -> ImportBatch:
    return db.session.scalars(select(ImportBatch).where(ImportBatch.roster_id == roster.id)
                              .order_by(ImportBatch.id.desc())).first()


def test_preview_reports_row_by_row_and_writes_nothing(login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    response = upload(client, roster, messy_xlsx(foreign_cccd()))
    assert response.status_code == 303
    batch = latest_batch(roster)
    assert (batch.accepted, batch.rejected, batch.warned) == (MESSY_ACCEPTED, MESSY_REJECTED, MESSY_WARNED)
    assert count_people(roster) == before
    page = client.get(response.location)
    text = page.text
    assert "Giới tính phải là Nam hoặc Nữ." in text
    assert "Số CCCD phải gồm 12 chữ số" in text
    assert "Số CCCD trùng với dòng 5 trong tệp." in text
    assert "Số CCCD này đã có trong danh sách của Phường Trúc Bạch." in text
    assert "Số CCCD ghi giới tính Nữ" in text
    for row_number in (10, 11, 12, 13, 14):
        assert re.search(rf'<td class="num" rowspan="\d">{row_number}</td>', text), row_number
    assert "Người lập biểu" not in text


def test_commit_imports_valid_rows_in_one_go_then_doubtful_rows_wait(login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    upload(client, roster, messy_xlsx(foreign_cccd()))
    batch = latest_batch(roster)
    response = client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    assert response.status_code == 303
    assert count_people(roster) == before + MESSY_ACCEPTED
    people = {p.full_name: p for p in db.session.scalars(select(Person).where(Person.roster_id == roster.id))}
    assert people["Nguyễn Văn An"].birth_date.isoformat() == "1985-03-02" and people["Nguyễn Văn An"].zone is Zone.LOCKDOWN
    assert people["Trần Thị Bình"].cccd == "001185012346" and people["Trần Thị Bình"].birth_date.isoformat() == "1985-03-02"
    assert people["Lê Văn Cường"].phone == "0912345001" and people["Lê Văn Cường"].zone is Zone.HIGH_RISK
    assert people["Phạm Minh Đức"].address == "Số 10 Phúc Xá"  # the merged household address
    assert people["Kiều Thị Lan"].cccd == "012345678"
    assert "giới tính Nữ" in people["Ngô Văn Kiên"].warnings
    doubtful = client.get(f"/rosters/{roster.id}/doubtful")
    assert "Vũ Văn Em" in doubtful.text and "Đỗ Thị Gấm" in doubtful.text
    # the rejected rows as .xlsx, with reasons, in columns the import reads again
    download = client.get(f"/rosters/{roster.id}/imports/{batch.id}/rejected.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(download.data)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["Dòng", "Họ và tên", "Ngày sinh"] and rows[0][-1] == "Lý do"
    assert len(rows) == 1 + MESSY_REJECTED
    assert any("Giới tính phải là Nam hoặc Nữ." in r[-1] for r in rows)
    # a second commit of the same file changes nothing
    again = client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    assert again.status_code == 409 and count_people(roster) == before + MESSY_ACCEPTED


def test_fixed_rejected_file_can_be_uploaded_again(login_as):
    client = login_as("xa1")
    roster = roster_of()
    upload(client, roster, messy_xlsx(foreign_cccd()))
    batch = latest_batch(roster)
    client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    download = client.get(f"/rosters/{roster.id}/imports/{batch.id}/rejected.xlsx")
    again = upload(client, roster, download.data, "sua.xlsx")
    assert again.status_code == 303
    second = latest_batch(roster)
    assert second.id != batch.id and second.rejected == MESSY_REJECTED  # same reasons, read back from our own file


def test_doubtful_row_fixed_and_added_or_dismissed(login_as):
    client = login_as("xa1")
    roster = roster_of()
    rows = imports.doubtful_rows(roster)
    assert len(rows) == 3  # the demo import
    sex_row = next(r for r in rows if "Trần Văn Tâm" in r.raw)
    form = client.get(f"/rosters/{roster.id}/doubtful/{sex_row.id}/fix")
    assert form.status_code == 200 and 'value="Trần Văn Tâm"' in form.text
    data = {"full_name": "Trần Văn Tâm", "birth": "1965", "sex": "male", "cccd": "", "phone": "0987654321",
            "address": "Số 14 Tân Ấp, tổ 7", "zone": "high_risk"}
    assert client.post(f"/rosters/{roster.id}/doubtful/{sex_row.id}/fix", data=data).status_code == 303
    assert db.session.scalars(select(Person).where(Person.full_name == "Trần Văn Tâm")).one()
    other = rows[0] if rows[0].id != sex_row.id else rows[1]
    assert client.post(f"/rosters/{roster.id}/doubtful/{other.id}/dismiss").status_code == 303
    assert len(imports.doubtful_rows(roster)) == 1
    assert client.post(f"/rosters/{roster.id}/doubtful/{other.id}/dismiss").status_code == 404


def test_cancel_writes_nothing_and_discards_the_file(app, login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    upload(client, roster, messy_xlsx())
    batch = latest_batch(roster)
    stored = Path(app.config["UPLOAD_DIR"]) / "rosters" / batch.stored_name
    assert stored.is_file() and "static" not in str(stored)
    assert client.post(f"/rosters/{roster.id}/imports/{batch.id}/cancel").status_code == 303
    db.session.expire_all()
    assert latest_batch(roster).status is BatchStatus.CANCELLED and not stored.exists()
    assert count_people(roster) == before


def test_import_is_all_or_nothing_when_the_database_fails_midway(app, login_as, monkeypatch):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    rows = [[i, f"Nguyễn Văn Tư {chr(65 + i % 26)}{chr(97 + i // 26 % 26)}{chr(97 + i // 676)}", "1980", "Nam", "", "",
             "Số 1 Phúc Xá", ""] for i in range(2500)]
    upload(client, roster, simple_xlsx(rows))
    batch = latest_batch(roster)
    assert batch.accepted == 2500
    # Rows are made as they are written (COPY on PostgreSQL, chunks of 1000 here on SQLite):
    # the 2,200th fails after two chunks, or most of the COPY stream, went to the database.
    real_stored_values = services._stored_values
    calls = {"n": 0}

    def failing_stored_values(values, warnings):
        calls["n"] += 1
        if calls["n"] == 2200:
            raise RuntimeError("disk full")
        return real_stored_values(values, warnings)

    monkeypatch.setattr(bulk, "CHUNK", 1000)
    monkeypatch.setattr(services, "_stored_values", failing_stored_values)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    monkeypatch.undo()
    assert response.status_code == 500 and calls["n"] == 2200
    db.session.rollback()
    assert count_people(roster) == before
    assert latest_batch(roster).status is BatchStatus.PREVIEW


def test_csv_utf8_with_bom_semicolons_and_without_bom_commas(login_as):
    client = login_as("xa1")
    roster = roster_of()
    semicolons = "\ufeffDANH SÁCH TỔ 3\n\nHọ tên;Năm sinh;Giới tính;CCCD;Điện thoại;Địa chỉ;Vùng\n" \
                 "Bùi Thị Hạnh;1968;nu;001168777111;0987 111 222;Số 6 Hồng Hà;phong tỏa\n;;;;;;\n"
    upload(client, roster, semicolons.encode("utf-8"), "ds.csv")
    assert (latest_batch(roster).accepted, latest_batch(roster).rejected) == (1, 0)
    commas = "ho va ten,ngay sinh,gioi tinh,so cccd\nĐinh Văn Lộc,01/01/1960,Nam,001060777222\n"
    upload(client, roster, commas.encode("utf-8"), "ds.csv")
    assert (latest_batch(roster).accepted, latest_batch(roster).rejected) == (1, 0)


@pytest.mark.parametrize("content,name,message", [
    (b"", "ds.xlsx", "Vui lòng chọn tệp."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "anh.csv", "không phải là bảng tính"),
    (b"PK\x03\x04garbage-not-a-zip" * 10, "ds.xlsx", "không phải là bảng tính Excel (.xlsx) hợp lệ"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ds.csv", "Tệp Excel cũ (.xls)"),
    ("Họ và tên;Ngày sinh;Giới tính\nAn;1990;Nam\n".encode("cp1258", errors="replace"), "ds.csv", "UTF-8"),
    ("Tên hàng;Số lượng\nGạo;10\n".encode(), "ds.csv", "Không tìm thấy dòng tiêu đề"),
    ("Họ và tên;Địa chỉ\nAn;Hà Nội\n".encode(), "ds.csv", "Thiếu cột: Ngày sinh / Năm sinh, Giới tính."),
    ("\n\n  \n".encode(), "ds.csv", "Tệp rỗng"),
    (b"a,b,c\n", "ds.pdf", "Chỉ nhận tệp .xlsx hoặc .csv."),
])
def test_bad_files_get_a_message_never_a_500(login_as, content, name, message):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    response = upload(client, roster, content, name) if content else client.post(
        f"/rosters/{roster.id}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.text
    assert count_people(roster) == before and latest_batch(roster).status is BatchStatus.COMMITTED  # only the demo one


def test_zip_bomb_and_xml_entities_refused(login_as):
    client = login_as("xa1")
    roster = roster_of()
    bomb = zip_bomb()
    assert len(bomb) < 200_000
    response = upload(client, roster, bomb)
    assert response.status_code == 400 and "bom nén" in response.text
    response = upload(client, roster, xml_entity_xlsx())
    assert response.status_code == 400 and ("không được phép" in response.text)


def test_size_and_row_limits(app, login_as):
    client = login_as("xa1")
    roster = roster_of()
    rows = [[i, "Lê Văn Tám", "1990", "Nam"] for i in range(50)]
    app.config["ROSTER_IMPORT_MAX_ROWS"] = 20
    response = upload(client, roster, simple_xlsx(rows, ["STT", "Họ và tên", "Năm sinh", "Giới tính"]))
    assert response.status_code == 400 and "Tệp có hơn 20 dòng" in response.text
    app.config["ROSTER_IMPORT_MAX_BYTES"] = 2000
    response = upload(client, roster, b"Ho va ten,Nam sinh,Gioi tinh\n" + b"An,1990,Nam\n" * 400, "ds.csv")
    assert response.status_code == 400 and "Tệp lớn hơn" in response.text
    app.config["MAX_CONTENT_LENGTH"] = 5000
    response = upload(client, roster, b"x" * 20000, "ds.csv")
    assert response.status_code == 413 and "Tệp quá lớn" in response.text


def test_template_download_is_read_back_by_the_import(login_as):
    client = login_as("xa1")
    roster = roster_of()
    template = client.get("/rosters/template-testing.xlsx")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    upload(client, roster, template.data)
    batch = latest_batch(roster)
    assert batch.accepted == 1 and batch.rejected == 0


def test_cli_import_prints_rejected_rows_and_the_last_line(app, runner, tmp_path):
    roster = roster_of()
    before = count_people(roster)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(messy_xlsx(foreign_cccd()))
    args = ["roster", "import", str(path), "--commune", "00001", "--campaign", "Chiến dịch tháng 9/2021",
            "--kind", "testing"]
    dry = runner.invoke(args=args + ["--dry-run"])
    lines = dry.output.strip().splitlines()
    assert dry.exit_code == 1
    assert lines[-1] == f"accepted={MESSY_ACCEPTED} rejected={MESSY_REJECTED} warnings={MESSY_WARNED}"
    assert len(lines) == 1 + MESSY_REJECTED and lines[0].startswith("dòng 10:")
    db.session.expire_all()
    assert count_people(roster) == before
    real = runner.invoke(args=args)
    assert real.exit_code == 1 and real.output.strip().splitlines()[-1].startswith(f"accepted={MESSY_ACCEPTED} ")
    db.session.expire_all()
    assert count_people(roster) == before + MESSY_ACCEPTED
    clean = tmp_path / "ok.csv"
    clean.write_text("Họ và tên,Năm sinh,Giới tính\nMai Văn Sáu,1966,Nam\n", encoding="utf-8")
    ok = runner.invoke(args=["roster", "import", str(clean), "--commune", "00001", "--campaign",
                             "Chiến dịch tháng 9/2021", "--kind", "vaccination"])
    assert ok.exit_code == 0 and ok.output.strip().splitlines()[-1] == "accepted=1 rejected=0 warnings=0"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00junk")
    refused = runner.invoke(args=["roster", "import", str(bad), "--commune", "00001", "--campaign",
                                  "Chiến dịch tháng 9/2021", "--kind", "testing"])
    assert refused.exit_code == 1 and refused.output.strip().splitlines()[-1] == "accepted=0 rejected=0 warnings=0"
    unknown = runner.invoke(args=["roster", "import", str(clean), "--commune", "99999", "--campaign", "x",
                                  "--kind", "testing"])
    assert unknown.exit_code == 1 and "Không có đơn vị" in unknown.output


def test_control_characters_never_reach_the_database(login_as):
    client = login_as("xa1")
    roster = roster_of()
    text = "Họ và tên;Năm sinh;Giới tính;Địa chỉ\nMai\x1f Văn Bảy;1970;Nam;Số 1\x0b Phúc Xá\x07\n"
    assert upload(client, roster, text.encode("utf-8"), "d\x00s.csv").status_code == 303
    batch = latest_batch(roster)
    assert "\x00" not in batch.filename and batch.accepted == 1
    client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    person = db.session.scalars(select(Person).where(Person.full_name == "Mai Văn Bảy")).one()
    assert person.address == "Số 1 Phúc Xá"
    assert client.get(f"/rosters/{roster.id}", query_string={"q": "mai\x1f van"}).status_code == 200
    # A NUL in a form or a query is refused for every request (portal/security.py), nothing written.
    assert client.get(f"/rosters/{roster.id}", query_string={"q": "mai\x00 van"}).status_code == 400
    refused = client.post(f"/rosters/{roster.id}/people", data={"full_name": "Lò Văn Chín", "birth": "1971",
                                                               "sex": "male", "address": "Bản\x00 Mường", "zone": "other"})
    assert refused.status_code == 400
    assert db.session.scalars(select(Person.id).where(Person.full_name == "Lò Văn Chín")).first() is None
    added = client.post(f"/rosters/{roster.id}/people", data={"full_name": "Lò Văn Chín", "birth": "1971", "sex": "male",
                                                             "address": "Bản\x07 Mường", "zone": "other"})
    assert added.status_code == 303
    assert db.session.scalars(select(Person.address).where(Person.full_name == "Lò Văn Chín")).one() == "Bản Mường"


def test_people_already_in_the_campaign_are_found_across_lookup_chunks(app, monkeypatch):
    monkeypatch.setattr(imports, "LOOKUP_CHUNK", 2)
    roster = roster_of()
    rows = [[1, "Bùi Văn Một", "01/01/1961", "Nam", "001061000001", "", "Số 1", ""],
            [2, "Bùi Văn Hai", "1962", "Nam", "001062000002", "0912000002", "Số 2", ""],
            [3, "Bùi Văn Ba", "03/03/1963", "Nam", "001063000003", "", "Số 3", ""],
            [4, "Bùi Thị Bốn", "04/04/1964", "Nữ", "", "0912000004", "Số 4", ""],
            [5, "Bùi Thị Năm", "1965", "Nữ", "", "0912000005", "Số 5", ""],
            [6, "Bùi Thị Sáu", "1966", "Nữ", "", "0912000006", "Số 6", ""]]
    first = imports.import_file(None, roster, "ds.xlsx", simple_xlsx(rows))
    assert (len(first.accepted), len(first.rejected)) == (6, 0)
    # Same phones, but another birth (row 6: a date where a year alone was given): not the same person.
    again = rows[:5] + [[6, "Bùi Thị Sáu", "06/06/1966", "Nữ", "", "0912000006", "Số 6", ""]]
    second = imports.import_file(None, roster, "ds.xlsx", simple_xlsx(again), dry_run=True)
    assert [r.row_number for r in second.accepted] == [7]
    assert [(r.row_number, r.errors) for r in second.rejected] == [
        (2, [("cccd", "Số CCCD này đã có trong danh sách.")]),
        (3, [("cccd", "Số CCCD này đã có trong danh sách.")]),
        (4, [("cccd", "Số CCCD này đã có trong danh sách.")]),
        (5, [("full_name", "Người cùng họ tên, ngày sinh và số điện thoại đã có trong danh sách.")]),
        (6, [("full_name", "Người cùng họ tên, ngày sinh và số điện thoại đã có trong danh sách.")])]
    db.session.rollback()
