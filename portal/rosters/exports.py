"""Roster exports (.xlsx, .csv) that no spreadsheet can run as formulas; each one audited."""
from __future__ import annotations

import csv
import io

import xlsxwriter
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.timeutil import format_date

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Địa chỉ", "Khu vực"]
VACCINATION_COLUMNS = ["Nhóm ưu tiên", "Số mũi đã tiêm"]


def neutralise(value) -> str:
    """A cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(roster: Roster):
    people = db.session.scalars(select(Person).where(Person.roster_id == roster.id).order_by(Person.sort_key, Person.id))
    for number, p in enumerate(people, start=1):
        row = [str(number), p.full_name, format_date(p.birth_date) if p.birth_date else str(p.birth_year), p.sex.label,
               p.cccd or "", p.phone or "", p.address, p.zone.label]
        if roster.kind is RosterKind.VACCINATION:
            row += [p.priority_group or "", str(p.prior_doses)]
        yield [neutralise(v) for v in row]


def _columns(roster: Roster) -> list[str]:
    return COLUMNS + (VACCINATION_COLUMNS if roster.kind is RosterKind.VACCINATION else [])


def export_roster(actor, roster: Roster, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, mimetype). Every export is in the audit log."""
    base = f"danh-sach-{roster.unit.code}-{roster.kind.value}-{roster.id}"
    rows = list(_rows(roster))
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(_columns(roster))
        writer.writerows(rows)
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly
        result = (content, base + ".csv", "text/csv; charset=utf-8")
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
        sheet = book.add_worksheet("Danh sách")
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, f"{roster.unit.name} — {roster.campaign.name} — {roster.kind.label}", bold)
        sheet.write_row(2, 0, _columns(roster), bold)
        for index, row in enumerate(rows, start=3):
            for col, value in enumerate(row):
                sheet.write_string(index, col, value)
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, len(_columns(roster)), 18)
        book.close()
        result = (buffer.getvalue(), base + ".xlsx",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise ValueError(fmt)
    audit.record(actor, "roster.export", roster, unit=roster.unit_id, changes={"format": fmt, "rows": len(rows)})
    return result
