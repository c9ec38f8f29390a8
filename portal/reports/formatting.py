"""Vietnamese administrative formats (Nghị định 30/2020/NĐ-CP) and number styles."""
from __future__ import annotations

from datetime import date

from portal.units.models import Unit, UnitKind


def vn_number(value) -> str:
    """1234567 → "1.234.567"."""
    return f"{int(value or 0):,}".replace(",", ".")


def vn_decimal(value, digits: int = 1) -> str:
    """1234.56 → "1.234,6"."""
    text = f"{float(value or 0):,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_percent(part, whole, digits: int = 1) -> str:
    """(853, 1000) → "85,3%"; an empty whole gives "-" rather than a division by zero."""
    if not whole:
        return "-"
    return vn_decimal(100.0 * (part or 0) / whole, digits) + "%"


def ratio(part, whole) -> float:
    return (part or 0) / whole if whole else 0.0


def _two(value: int) -> str:
    return f"{value:02d}"


def date_in_words(place: str, day: date) -> str:
    """"Hà Nội, ngày 05 tháng 9 năm 2021": day below 10 and months 1 and 2 take a leading zero
    (Nghị định 30/2020, Phụ lục I: "tháng 01", "tháng 02"; "tháng 9" stays as it is)."""
    month = _two(day.month) if day.month < 3 else str(day.month)
    return f"{place}, ngày {_two(day.day)} tháng {month} năm {day.year}"


def number_text(number: int | None, symbol: str) -> str:
    """"05/BC-SYT"; a draft leaves the number blank for the clerk's pen."""
    if number is None:
        return f"\u2002\u2002\u2002\u2002/{symbol}"
    return f"{_two(number)}/{symbol}"


def place_name(unit: Unit) -> str:
    """The place in the date line: the province or city without its kind ("Hà Nội")."""
    root = unit
    while root.parent is not None:
        root = root.parent
    name = root.name
    for prefix in ("Thành phố ", "Tỉnh ", "TP. "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def body_name(unit: Unit) -> str:
    """The name of the issuing body as printed: departments by name, administrative units as
    their People's Committee ("UBND Phường Phúc Xá")."""
    if unit.kind.is_administrative:
        return f"UBND {unit.name}"
    return unit.name


def parent_body_name(unit: Unit) -> str:
    """The body above the issuing one (the line printed in regular capitals over it)."""
    parent = unit.parent
    while parent is not None and not parent.kind.is_administrative:
        parent = parent.parent
    if parent is None:
        return ""
    return body_name(parent)


def vn_upper(text: str) -> str:
    return text.upper()


def symbol_for(unit: Unit) -> str:
    """Number symbol of a report: "BC-<issuing body's abbreviation>"."""
    code = unit.code.upper()
    if code.replace("-", "").isalpha():
        return f"BC-{code}"
    return "BC-UBND"


def short_name(unit: Unit) -> str:
    """The drafting unit's short name used in "Lưu: VT, <unit>."."""
    code = unit.code.upper()
    return code if code.replace("-", "").isalpha() else "VP"


DEFAULT_SIGNERS = {
    UnitKind.DEPARTMENT: ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    UnitKind.HEALTH_FACILITY: ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    UnitKind.PROVINCE: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    UnitKind.DISTRICT: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    UnitKind.COMMUNE: ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
}


def default_recipients(unit: Unit) -> list[str]:
    parent = parent_body_name(unit)
    recipients = ["Ban Chỉ đạo phòng, chống dịch COVID-19 Thành phố"]
    if parent:
        recipients.append(parent)
    return recipients
