"""The roster rules for one row, pure: no request, no database.

Every way a person enters a roster (the add form, an import row, a CCCD scan) goes through
`validate_row`, so the clerk sees the same Vietnamese messages everywhere."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal.rosters.models import RosterKind, Sex, Zone
from portal.text import clean, fold, title_name

MAX_NAME = 100
MAX_ADDRESS = 300
OLDEST_AGE = 110
EXCEL_EPOCH = date(1899, 12, 30)

# Values from fixed lists, keyed by their folded spelling.
SEX_WORDS = {"nam": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "trai": Sex.MALE,
             "nu": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "gai": Sex.FEMALE}
ZONE_WORDS = {
    "phong toa": Zone.LOCKDOWN, "khu phong toa": Zone.LOCKDOWN, "khu vuc phong toa": Zone.LOCKDOWN,
    "lockdown": Zone.LOCKDOWN,
    "nguy co cao": Zone.HIGH_RISK, "khu vuc nguy co cao": Zone.HIGH_RISK, "vung nguy co cao": Zone.HIGH_RISK,
    "high risk": Zone.HIGH_RISK, "high_risk": Zone.HIGH_RISK,
    "khac": Zone.OTHER, "binh thuong": Zone.OTHER, "other": Zone.OTHER,
}
# A stored value or one of the words above (a dict look-up: no exception per row of an import).
_SEX_BY_TEXT = {**{sex.value: sex for sex in Sex}, **SEX_WORDS}
_ZONE_BY_TEXT = {**{zone.value: zone for zone in Zone}, **ZONE_WORDS}
# Nhóm ưu tiên tiêm chủng (Nghị quyết 21/NQ-CP, 2021), 1..16.
PRIORITY_GROUPS = {str(n): f"Nhóm {n}" for n in range(1, 17)}

# Cells that say "this is the end of the table" rather than a person.
FOOTER_WORDS = ("nguoi lap", "nguoi lap bieu", "tong cong", "tong so", "xac nhan", "can bo", "truong thon",
                "to truong", "ghi chu", "ky ten", "tm. ubnd", "chu tich")

_NAME_CHARS = re.compile(r"^[^\W\d_]+(?: [^\W\d_]+)*$")
_DIGIT_SEPARATORS = re.compile(r"[\s.\-]")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_GROUP_WORD = re.compile(r"^(nhom|group)\s*")
_SIGNATURE_DATE = re.compile(r"\bngay\b.*\bthang\b")  # "..., ngày 5 tháng 9 năm 2021"
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_YEAR = re.compile(r"^\d{4}$")

Field = str
Message = str
_fold_word = lru_cache(maxsize=4096)(fold)  # fixed-list values repeat on every row of an import


class FieldError(ValueError):
    """A value that cannot be accepted, with the message the clerk reads."""


@dataclass
class RowResult:
    values: dict = field(default_factory=dict)
    errors: list[tuple[Field, Message]] = field(default_factory=list)
    warnings: list[tuple[Field, Message]] = field(default_factory=list)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.skipped


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value) -> str:
    """clean() without control characters (PostgreSQL refuses NUL; none belongs in a roster)."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():  # every control character is unprintable: most cells skip the regex
        text = _CONTROL.sub("", text)
    return clean(text)


def _text(value) -> str:
    if type(value) is str:  # nearly every cell: no number to look at
        return plain_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return plain_text(value)


def normalise_name(value) -> str:
    return _name_from_text(_text(value))


def _name_from_text(name: str) -> str:
    if not name:
        raise FieldError("Vui lòng nhập họ và tên.")
    if len(name) > MAX_NAME:
        raise FieldError(f"Họ và tên dài tối đa {MAX_NAME} ký tự.")
    if not _NAME_CHARS.match(name):
        raise FieldError("Họ và tên chỉ gồm chữ cái và dấu cách.")
    return title_name(name)


def _name_footer_or_blank(name: str) -> bool:
    """A row without a birth is skipped when it is blank or a footer (a signature line,
    "..., ngày 5 tháng 9 năm 2021")."""
    if not name:
        return True
    folded = fold(name)
    return folded.startswith(FOOTER_WORDS) or bool(_SIGNATURE_DATE.search(folded))


def normalise_cccd(value, *, numeric: bool = False) -> str | None:
    """12 digits (CCCD) or 9 (old CMND); spaces and dots removed; None when empty.

    A spreadsheet NUMBER has lost its leading zeros (every province code starts with 0), so a
    numeric cell of 10 or 11 digits is padded back to 12. A text cell is taken as written."""
    if isinstance(value, bool):
        raise FieldError("Số CCCD phải gồm 12 chữ số (CMND cũ: 9 chữ số).")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise FieldError("Số CCCD phải gồm 12 chữ số (CMND cũ: 9 chữ số).")
        value, numeric = str(int(value)), True
    text = _DIGIT_SEPARATORS.sub("", _text(value))
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise FieldError("Số CCCD chỉ gồm chữ số.")
    if numeric and len(text) in (10, 11):
        text = text.zfill(12)
    if len(text) not in (9, 12):
        raise FieldError("Số CCCD phải gồm 12 chữ số (CMND cũ: 9 chữ số).")
    return text


def normalise_phone(value) -> str | None:
    """10 digits starting with 0; +84 / 84 prefixes become 0; None when empty."""
    if isinstance(value, float) and not value.is_integer():
        raise FieldError("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
        if len(value) == 9:  # a number cell dropped the leading 0
            value = "0" + value
    text = _PHONE_SEPARATORS.sub("", _text(value))
    if not text:
        return None
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    if not (text.isascii() and text.isdigit() and len(text) == 10 and text.startswith("0")):
        raise FieldError("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
    return text


def parse_birth(value, *, today: date) -> tuple[date | None, int]:
    """A date (dd/mm/yyyy, an Excel serial or a date cell) or a year alone → (date or None, year)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _check_birth(value, value.year, today)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            value = int(value) if math.isfinite(value) else -1
        number = int(value)
        if 1800 <= number <= 2200 and number == value:
            return _check_birth(None, number, today)
        if 1 <= number < 80000:
            day = EXCEL_EPOCH + timedelta(days=number)
            return _check_birth(day, day.year, today)
        raise FieldError("Ngày sinh không hợp lệ (dd/mm/yyyy hoặc năm sinh).")
    text = _text(value)
    if not text:
        raise FieldError("Vui lòng nhập ngày sinh (dd/mm/yyyy) hoặc năm sinh.")
    if _YEAR.match(text):
        return _check_birth(None, int(text), today)
    match = _DATE_TEXT.match(text)
    if match:
        d, m, y = (int(g) for g in match.groups())
    else:
        match = _ISO_DATE.match(text)
        if not match:
            raise FieldError("Ngày sinh phải theo dạng dd/mm/yyyy, ví dụ 02/03/1985, hoặc chỉ năm sinh.")
        y, m, d = (int(g) for g in match.groups())
    try:
        day = date(y, m, d)
    except ValueError:
        raise FieldError("Ngày sinh không có thật trên lịch.") from None
    return _check_birth(day, y, today)


def _check_birth(day: date | None, year: int, today: date) -> tuple[date | None, int]:
    if year < 1900 or year > today.year:
        raise FieldError(f"Năm sinh phải từ 1900 đến {today.year}.")
    if day is not None and day > today:
        raise FieldError("Ngày sinh không được ở tương lai.")
    return day, year


def parse_sex(value) -> Sex:
    if isinstance(value, Sex):
        return value
    text = _fold_word(_text(value))
    if not text:
        raise FieldError("Vui lòng chọn giới tính (Nam hoặc Nữ).")
    sex = _SEX_BY_TEXT.get(text)
    if sex is None:
        raise FieldError("Giới tính phải là Nam hoặc Nữ.")
    return sex


def parse_zone(value) -> Zone:
    if isinstance(value, Zone):
        return value
    text = _fold_word(_text(value)).replace("-", " ")
    if not text:
        return Zone.OTHER
    zone = _ZONE_BY_TEXT.get(text)
    if zone is None:
        raise FieldError("Khu vực phải là Phong tỏa, Nguy cơ cao hoặc Khác.")
    return zone


def parse_priority_group(value) -> str | None:
    text = _fold_word(_text(value))
    if not text:
        return None
    number = _GROUP_WORD.sub("", text)
    if number in PRIORITY_GROUPS:
        return PRIORITY_GROUPS[number]
    raise FieldError("Nhóm ưu tiên phải là một số từ 1 đến 16 (ví dụ: Nhóm 3).")


def parse_prior_doses(value) -> int:
    text = _text(value)
    if not text:
        return 0
    if text.isdigit() and int(text) <= 5:
        return int(text)
    raise FieldError("Số mũi đã tiêm phải là số từ 0 đến 5.")


def normalise_address(value) -> str:
    text = _text(value)
    if len(text) > MAX_ADDRESS:
        raise FieldError(f"Địa chỉ dài tối đa {MAX_ADDRESS} ký tự.")
    return text


def cccd_mismatch_warnings(cccd: str | None, sex: Sex | None, birth_year: int | None) -> list[tuple[Field, Message]]:
    """A 12-digit CCCD encodes sex and century (4th digit: 0/1 male/female 1900s, 2/3 2000s, ...)
    and the birth year's last two digits (5th-6th). Disagreement is a warning, not an error."""
    if not cccd or len(cccd) != 12:
        return []
    warnings = []
    code = int(cccd[3])
    century = 1900 + 100 * (code // 2)
    card_sex = Sex.MALE if code % 2 == 0 else Sex.FEMALE
    if sex is not None and card_sex != sex:
        warnings.append(("cccd", f"Số CCCD ghi giới tính {card_sex.label}, khác với giới tính đã nhập ({sex.label})."))
    if birth_year is not None:
        card_year = century + int(cccd[4:6])
        if card_year != birth_year:
            warnings.append(("cccd", f"Số CCCD ghi năm sinh {card_year}, khác với năm sinh đã nhập ({birth_year})."))
    return warnings


def _has_birth(birth) -> bool:
    return isinstance(birth, (date, datetime)) or bool(_text(birth))


def _birth_raw(raw: dict):
    for key in ("birth", "birth_date", "birth_year"):
        if raw.get(key) not in (None, ""):
            return raw[key]
    return None


# The fields after the CCCD, each checked by one parser of its cell alone, in the order their
# messages show.
_COMMON_FIELDS = (("phone", normalise_phone), ("address", normalise_address), ("zone", parse_zone))
_VACCINATION_FIELDS = _COMMON_FIELDS + (("priority_group", parse_priority_group), ("prior_doses", parse_prior_doses))


def validate_row(raw: dict, *, kind: RosterKind, today: date, numeric_cccd: bool = False) -> RowResult:
    """Clean and check one person. `raw` uses the Person column names; the birth may come as
    `birth`, `birth_date` or `birth_year`."""
    result = RowResult()
    # The name and birth cells are cleaned once, for the footer test and for their checks.
    birth = _birth_raw(raw)
    name = _text(raw.get("full_name"))
    if not _has_birth(birth) and _name_footer_or_blank(name):
        result.skipped = True
        return result
    values, errors = result.values, result.errors
    try:
        values["full_name"] = _name_from_text(name)
        values["name_folded"] = fold(values["full_name"])  # the search and duplicate key
    except FieldError as exc:
        errors.append(("full_name", str(exc)))
    try:
        values["birth_date"], values["birth_year"] = parse_birth(birth, today=today)
    except FieldError as exc:
        errors.append(("birth", str(exc)))
    try:
        values["sex"] = parse_sex(raw.get("sex"))
    except FieldError as exc:
        errors.append(("sex", str(exc)))
    try:
        values["cccd"] = normalise_cccd(raw.get("cccd"), numeric=numeric_cccd)
    except FieldError as exc:
        errors.append(("cccd", str(exc)))
    vaccination = kind is RosterKind.VACCINATION
    for field_name, parse in (_VACCINATION_FIELDS if vaccination else _COMMON_FIELDS):
        try:
            values[field_name] = parse(raw.get(field_name))
        except FieldError as exc:
            errors.append((field_name, str(exc)))
    if not vaccination:
        values["priority_group"], values["prior_doses"] = None, 0
    if "birth_year" in values:
        if today.year - values["birth_year"] > OLDEST_AGE:
            result.warnings.append(("birth", f"Người này trên {OLDEST_AGE} tuổi: vui lòng kiểm tra lại năm sinh."))
        if values.get("cccd"):
            result.warnings.extend(cccd_mismatch_warnings(values["cccd"], values.get("sex"), values["birth_year"]))
    return result


FIELD_LABELS = {
    "full_name": "Họ và tên", "birth": "Ngày sinh", "birth_date": "Ngày sinh", "birth_year": "Năm sinh",
    "sex": "Giới tính", "cccd": "Số CCCD", "phone": "Số điện thoại", "address": "Địa chỉ", "zone": "Khu vực",
    "priority_group": "Nhóm ưu tiên", "prior_doses": "Số mũi đã tiêm", "file": "Tệp", "row": "Dòng",
}
