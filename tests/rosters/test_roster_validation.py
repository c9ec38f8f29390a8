"""The roster rules, one function each, with the edge cases in the test names."""
import random
from datetime import date, datetime

import pytest

from portal.rosters.models import RosterKind, Sex, Zone
from portal.rosters.qr import parse_cccd_qr
from portal.rosters.sorting import sort_key
from portal.rosters.validation import (
    FieldError, cccd_mismatch_warnings, normalise_cccd, normalise_phone, parse_birth, parse_sex, parse_zone,
    validate_row,
)
from portal.text import name_sort_key

TODAY = date(2021, 9, 5)


def row(**kw):
    base = {"full_name": "nguyễn  văn   an", "birth": "02/03/1985", "sex": "Nam", "cccd": "001085012345",
            "phone": "0912 345 678", "address": " Số 5  ngõ 12 Nghĩa Dũng ", "zone": ""}
    base.update(kw)
    return validate_row(base, kind=RosterKind.TESTING, today=TODAY)


def test_valid_row_is_cleaned_and_title_cased():
    result = row()
    assert result.errors == [] and result.warnings == [] and not result.skipped
    v = result.values
    assert v["full_name"] == "Nguyễn Văn An"
    assert v["birth_date"] == date(1985, 3, 2) and v["birth_year"] == 1985
    assert v["sex"] is Sex.MALE and v["zone"] is Zone.OTHER
    assert v["phone"] == "0912345678" and v["address"] == "Số 5 ngõ 12 Nghĩa Dũng"


def test_name_title_cased_the_vietnamese_way_and_nfc():
    decomposed = "nguye\u0302\u0303n thi\u0323 hu\u031bo\u031b\u0300ng"
    assert row(full_name=decomposed, sex="nữ", cccd="").values["full_name"] == "Nguyễn Thị Hường"


@pytest.mark.parametrize("name,message", [("", "Vui lòng nhập họ và tên."), ("Nguyễn Văn 2", "chữ cái"),
                                          ("a" * 101, "tối đa 100"), ("=cmd|' /C calc'!A0", "chữ cái")])
def test_name_required_letters_only_max_100(name, message):
    result = row(full_name=name, birth="1990")
    assert any(f == "full_name" and message in m for f, m in result.errors)


@pytest.mark.parametrize("value,expected", [
    ("02/03/1985", (date(1985, 3, 2), 1985)), ("2/3/1985", (date(1985, 3, 2), 1985)),
    ("02-03-1985", (date(1985, 3, 2), 1985)), ("1985", (None, 1985)), (1985, (None, 1985)),
    (31108.0, (date(1985, 3, 2), 1985)), (datetime(1985, 3, 2), (date(1985, 3, 2), 1985)),
    ("1985-03-02", (date(1985, 3, 2), 1985)),
])
def test_birth_accepts_text_dates_years_excel_serials_and_date_cells(value, expected):
    assert parse_birth(value, today=TODAY) == expected


@pytest.mark.parametrize("value", ["31/02/1985", "1899", "2022", "06/09/2021", "hôm qua", "", None, "13/13/2000"])
def test_birth_rejects_impossible_future_or_out_of_range(value):
    with pytest.raises(FieldError):
        parse_birth(value, today=TODAY)


@pytest.mark.parametrize("value,expected", [("Nam", Sex.MALE), ("nam", Sex.MALE), ("M", Sex.MALE), ("Nữ", Sex.FEMALE),
                                            ("NỮ", Sex.FEMALE), ("nu", Sex.FEMALE), ("F", Sex.FEMALE)])
def test_sex_matches_ignoring_case_and_diacritics(value, expected):
    assert parse_sex(value) is expected


@pytest.mark.parametrize("value", ["", "X", "khác"])
def test_sex_refuses_other_values(value):
    with pytest.raises(FieldError):
        parse_sex(value)


@pytest.mark.parametrize("value,expected", [("", Zone.OTHER), ("phong tỏa", Zone.LOCKDOWN), ("PHONG TOA", Zone.LOCKDOWN),
                                            ("nguy co cao", Zone.HIGH_RISK), ("Nguy cơ cao", Zone.HIGH_RISK),
                                            ("Khác", Zone.OTHER)])
def test_zone_matches_ignoring_case_and_diacritics_default_other(value, expected):
    assert parse_zone(value) is expected


def test_zone_unknown_is_an_error():
    with pytest.raises(FieldError):
        parse_zone("vùng xanh")


@pytest.mark.parametrize("value,numeric,expected", [
    ("001 085 012 345", False, "001085012345"), ("001.085.012.345", False, "001085012345"),
    ("123456789", False, "123456789"), ("", False, None), (None, False, None),
    (1085012345, False, "001085012345"), (1085012345.0, False, "001085012345"),
    ("1085012345", True, "001085012345"), ("01085012345", True, "001085012345"),
])
def test_cccd_digits_only_numeric_cells_padded(value, numeric, expected):
    assert normalise_cccd(value, numeric=numeric) == expected


@pytest.mark.parametrize("value", ["1085012345", "0010850123456", "00108501234A", "12345678", "００１０８５０１２３４５"])
def test_cccd_text_cell_taken_as_written_wrong_length_or_letters_refused(value):
    with pytest.raises(FieldError):
        normalise_cccd(value)


@pytest.mark.parametrize("value,expected", [("0912345678", "0912345678"), ("0912.345.678", "0912345678"),
                                            ("0912-345-678", "0912345678"), ("+84912345678", "0912345678"),
                                            ("84912345678", "0912345678"), ("+84 912 345 678", "0912345678"),
                                            ("", None), (912345678, "0912345678")])
def test_phone_normalised(value, expected):
    assert normalise_phone(value) == expected


@pytest.mark.parametrize("value", ["091234567", "1912345678", "09123456789", "0912abc678", "+1 202 555 0100"])
def test_phone_wrong_refused(value):
    with pytest.raises(FieldError):
        normalise_phone(value)


def test_cccd_sex_digit_disagrees_is_a_warning_not_an_error():
    result = row(sex="Nữ")
    assert result.errors == []
    assert any("giới tính Nam" in m for _, m in result.warnings)


def test_cccd_birth_year_digits_disagree_is_a_warning():
    result = row(birth="1986")
    assert result.errors == [] and any("năm sinh 1985" in m for _, m in result.warnings)


def test_cccd_century_digit_2000s():
    assert cccd_mismatch_warnings("001205012345", Sex.MALE, 2005) == []
    assert cccd_mismatch_warnings("001305012345", Sex.FEMALE, 2005) == []
    assert len(cccd_mismatch_warnings("001205012345", Sex.FEMALE, 1905)) == 2
    assert cccd_mismatch_warnings("123456789", Sex.FEMALE, 1905) == []  # old CMND carries neither


def test_older_than_110_is_a_warning():
    result = row(birth="1910", cccd="")
    assert result.errors == [] and any("110" in m for _, m in result.warnings)


def test_child_without_cccd_or_phone_is_fine():
    result = row(full_name="Lê Minh Khôi", birth="01/01/2019", cccd="", phone="")
    assert result.ok and result.values["cccd"] is None and result.values["phone"] is None


@pytest.mark.parametrize("raw", [{}, {"full_name": "", "birth": ""}, {"full_name": "Người lập biểu"},
                                 {"full_name": "Tổng cộng: 300 người"}, {"full_name": "Hà Nội, ngày 5 tháng 9 năm 2021"},
                                 {"address": "   "}])
def test_blank_and_footer_rows_are_skipped(raw):
    assert validate_row(raw, kind=RosterKind.TESTING, today=TODAY).skipped


def test_vaccination_priority_group_and_prior_doses():
    raw = {"full_name": "Trần Thị Bình", "birth": "1960", "sex": "nu", "priority_group": "nhóm 9", "prior_doses": "1"}
    result = validate_row(raw, kind=RosterKind.VACCINATION, today=TODAY)
    assert result.ok and result.values["priority_group"] == "Nhóm 9" and result.values["prior_doses"] == 1
    bad = validate_row({**raw, "priority_group": "17", "prior_doses": "x"}, kind=RosterKind.VACCINATION, today=TODAY)
    assert {f for f, _ in bad.errors} == {"priority_group", "prior_doses"}


def test_every_error_is_named_and_in_vietnamese():
    result = validate_row({"full_name": "X1", "birth": "abc", "sex": "?", "cccd": "12", "phone": "1", "zone": "?"},
                          kind=RosterKind.TESTING, today=TODAY)
    assert {f for f, _ in result.errors} == {"full_name", "birth", "sex", "cccd", "phone", "zone"}


def test_sort_key_string_sorts_like_the_vietnamese_tuple_order():
    names = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Văn Anh", "Phạm Đức", "Nguyễn Văn Dũng", "Nguyễn Thị Ân", "Lê Ăn",
             "Hà Bình", "An", "Trần Văn Ấn", "Ngô Đạt", "Bùi Du", "Vũ Đa", "Lê Thị Ảnh", "Đỗ Ý", "Y Yên"]
    assert [n for n in sorted(names, key=sort_key)] == sorted(names, key=name_sort_key)
    assert sorted(names, key=sort_key)[:3] == ["An", "Nguyễn Văn An", "Lê Văn Anh"]
    rng = random.Random(3)
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    pool = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 5))) + " " +
            "".join(rng.choice(letters) for _ in range(rng.randint(1, 5))) for _ in range(500)]
    assert sorted(pool, key=sort_key) == sorted(pool, key=name_sort_key)
    assert all(set(sort_key(n)) <= set("abcdefghijklmnopqrstuvwxyz") for n in pool)


def test_qr_line_of_a_chip_card():
    line = "001085012345|123456789|Nguyễn Văn An|02031985|Nam|Số 5 ngõ 12, Phúc Xá, Ba Đình, Hà Nội|15082021"
    card = parse_cccd_qr(line)
    assert card == {"cccd": "001085012345", "old_id": "123456789", "full_name": "Nguyễn Văn An",
                    "birth_date": date(1985, 3, 2), "sex": "Nam", "address": "Số 5 ngõ 12, Phúc Xá, Ba Đình, Hà Nội",
                    "issued_on": date(2021, 8, 15)}


@pytest.mark.parametrize("text", ["", None, "Nguyễn Văn An", "0010850|x|y|02031985|Nam|a|b", "a|b|c",
                                  "001085012345||Nguyễn Văn An|32131985|Nam|x|15082021"])
def test_qr_other_text_is_not_a_card(text):
    assert parse_cccd_qr(text) is None


def test_qr_without_old_cmnd():
    assert parse_cccd_qr("001085012345||Nguyễn Văn An|02031985|Nam|Hà Nội|15082021")["old_id"] is None
