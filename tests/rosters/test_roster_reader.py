"""The file reader on its own: header variants, and arbitrary input never escapes as a crash."""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.rosters.models import RosterKind
from portal.rosters.reader import ImportFileError, header_field, read_table
from portal.rosters.validation import validate_row


@pytest.mark.parametrize("header,field", [
    ("Họ và tên", "full_name"), ("HỌ TÊN", "full_name"), ("ho ten", "full_name"), ("Họ và tên\n(viết có dấu)", "full_name"),
    ("Ngày sinh", "birth"), ("Năm sinh", "birth"), ("NGÀY, THÁNG, NĂM SINH", "birth"), ("ngay/thang/nam sinh", "birth"),
    ("Giới tính", "sex"), ("GIOI TINH", "sex"), ("Nam/Nữ", "sex"),
    ("CCCD", "cccd"), ("Số CCCD", "cccd"), ("CMND/CCCD", "cccd"), ("Số CMND/CCCD", "cccd"), ("Số định danh", "cccd"),
    ("Điện thoại", "phone"), ("SĐT", "phone"), ("Số điện thoại", "phone"), ("SDT", "phone"),
    ("Địa chỉ", "address"), ("Nơi ở hiện nay", "address"), ("Khu vực", "zone"), ("Vùng", "zone"),
    ("Nhóm ưu tiên", "priority_group"), ("Số mũi đã tiêm", "prior_doses"),
    ("STT", None), ("Ghi chú", None), ("", None),
])
def test_header_variants(header, field):
    assert header_field(header) == field


cells = st.one_of(st.text(max_size=30), st.integers(-10**13, 10**13), st.floats(allow_nan=True, allow_infinity=True),
                  st.dates(), st.none(), st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["full_name", "birth", "sex", "cccd", "phone", "address", "zone",
                                        "priority_group", "prior_doses"]), cells),
       st.sampled_from(list(RosterKind)), st.booleans())
def test_validate_row_never_raises_on_anything(raw, kind, numeric):
    result = validate_row(raw, kind=kind, today=date(2021, 9, 5), numeric_cccd=numeric)
    assert result.skipped or result.errors or {"full_name", "birth_year", "sex", "zone"} <= set(result.values)
    for field, message in result.errors + result.warnings:
        assert isinstance(field, str) and isinstance(message, str) and message


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_table_or_a_message(data):
    try:
        read_table("x.csv", data)
    except ImportFileError as exc:
        assert str(exc)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=8))
def test_arbitrary_csv_text_gives_a_table_or_a_message(rows):
    text = "Họ và tên;Năm sinh;Giới tính\n" + "\n".join(";".join(r) for r in rows)
    try:
        table = read_table("x.csv", text.encode("utf-8"))
    except ImportFileError as exc:
        assert str(exc)
    else:
        for _, raw in table.rows:
            validate_row(raw, kind=RosterKind.TESTING, today=date(2021, 9, 5))
