"""Reading the spreadsheets communes really have, safely.

.xlsx (title rows above the header, merged cells, dates as serials or text) through
python-calamine after the zip container has been checked (bounded decompression, no DTDs or
entities: defusedxml); .csv in UTF-8 with or without BOM, `;`, `,` or tab separated.
Every cell comes out as text in the shape the validation expects."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from python_calamine import CalamineWorkbook

from portal.text import fold

EXCEL_EPOCH = date(1899, 12, 30)
HEADER_SEARCH_ROWS = 30
REQUIRED = ("full_name", "birth", "sex")
COLUMN_LABELS = {"full_name": "Họ và tên", "birth": "Ngày sinh / Năm sinh", "sex": "Giới tính"}

# Folded header text → field. Checked in order: the first rule that matches wins.
_HEADER_RULES: list[tuple[str, re.Pattern]] = [
    ("priority_group", re.compile(r"nhom uu tien|^nhom$|^doi tuong uu tien")),
    ("prior_doses", re.compile(r"so mui|da tiem|mui da")),
    ("cccd", re.compile(r"cccd|cmnd|can cuoc|chung minh|dinh danh")),
    ("phone", re.compile(r"dien thoai|^sdt|^so dt|^dt\b|^dtdd|^phone")),
    ("full_name", re.compile(r"^ho (va )?ten|^ten$|^ho ten|^full name|^name$")),
    ("birth", re.compile(r"ngay (thang )?(nam )?sinh|^nam sinh|^sinh ngay|^ngay/thang/nam sinh|^birth")),
    ("sex", re.compile(r"^gioi tinh|^gioi$|^nam/nu$|^sex$")),
    ("address", re.compile(r"^dia chi|^noi o|^cho o|^noi cu tru|^address")),
    ("zone", re.compile(r"^khu vuc|^vung|^zone")),
]


class ImportFileError(Exception):
    """A file the portal cannot read; the message says why, in Vietnamese."""


@dataclass
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 100_000
    max_unzipped: int = 300 * 1024 * 1024
    max_ratio: int = 200


@dataclass
class Table:
    columns: dict[str, int]
    headers: dict[str, str]
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (spreadsheet row number, raw cells)
    numeric_cccd: set[int] = field(default_factory=set)  # row numbers whose CCCD cell was a number


def header_field(text) -> str | None:
    folded = re.sub(r"[^a-z0-9/ ]+", " ", fold(str(text or ""))).strip()
    folded = re.sub(r"\s+", " ", folded)
    if not folded:
        return None
    for name, pattern in _HEADER_RULES:
        if pattern.search(folded):
            return name
    return None


def read_table(filename: str, data: bytes, limits: Limits | None = None) -> Table:
    limits = limits or Limits()
    if not data:
        raise ImportFileError("Tệp rỗng.")
    if len(data) > limits.max_bytes:
        raise ImportFileError(f"Tệp lớn hơn {limits.max_bytes // (1024 * 1024)} MB.")
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data, limits)
        typed = True
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("Tệp Excel cũ (.xls) chưa được hỗ trợ: vui lòng lưu lại thành .xlsx rồi tải lên.")
    else:
        rows = _csv_rows(data)
        typed = False
    return _to_table(rows, limits, typed)


def _xlsx_rows(data: bytes, limits: Limits) -> list[list]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.") from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    if len(members) > 2000 or sum(m.file_size for m in members) > limits.max_unzipped:
        raise ImportFileError("Tệp nén chứa quá nhiều dữ liệu khi giải nén: không mở tệp này.")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise ImportFileError("Tệp nén có tỉ lệ nén bất thường (nghi ngờ bom nén): không mở tệp này.")
    try:
        for name in ("[Content_Types].xml", "xl/workbook.xml"):
            SafeET.fromstring(archive.read(name), forbid_dtd=True)
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    head = handle.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ImportFileError("Tệp chứa khai báo XML không được phép (DTD/ENTITY).")
    except (DefusedXmlException, SafeET.ParseError, zipfile.BadZipFile, KeyError, RuntimeError, OSError, EOFError):
        raise ImportFileError("Tệp Excel bị hỏng hoặc chứa nội dung không được phép.") from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > limits.max_rows + HEADER_SEARCH_ROWS + 50:
            raise ImportFileError(f"Tệp có hơn {limits.max_rows:,} dòng.".replace(",", "."))
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except ImportFileError:
        raise
    except Exception:  # calamine raises its own error types for every kind of damage
        raise ImportFileError("Không đọc được bảng tính: tệp bị hỏng hoặc không đúng định dạng .xlsx.") from None
    # A merged cell holds its value in the top-left corner: spread it over the range
    # (a household's address merged down over its members).
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                if rows[r][c] in ("", None):
                    rows[r][c] = value
    return rows


def _csv_rows(data: bytes) -> list[list]:
    if b"\x00" in data[:4096]:
        raise ImportFileError("Tệp không phải là bảng tính (.xlsx) hay tệp CSV.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("Tệp CSV phải được lưu với mã hóa UTF-8.") from None
    sample = text[:20000].splitlines()[:30]
    delimiter = max((";", ",", "\t"), key=lambda d: sum(line.count(d) for line in sample))
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise ImportFileError("Tệp CSV không đúng định dạng.") from None


def _find_header(rows: list[list]) -> tuple[int, dict[str, int], dict[str, str]]:
    best = (-1, {}, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, headers = {}, {}
        for col, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) <= 80:
                name = header_field(cell)
                if name and name not in columns:
                    columns[name], headers[name] = col, cell.strip()
        if "full_name" in columns and len(columns) > len(best[1]):
            best = (index, columns, headers)
    return best


def _to_table(rows: list[list], limits: Limits, typed: bool) -> Table:
    if not any(any(str(c).strip() for c in row) for row in rows[:HEADER_SEARCH_ROWS + 1]):
        raise ImportFileError("Tệp rỗng: không có dữ liệu.")
    header_index, columns, headers = _find_header(rows)
    if header_index < 0:
        raise ImportFileError("Không tìm thấy dòng tiêu đề: cần các cột Họ và tên, Ngày sinh (hoặc Năm sinh), Giới tính.")
    missing = [COLUMN_LABELS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError("Thiếu cột: " + ", ".join(missing) + ".")
    if len(rows) - header_index - 1 > limits.max_rows:
        raise ImportFileError(f"Tệp có hơn {limits.max_rows:,} dòng dữ liệu.".replace(",", "."))
    table = Table(columns=columns, headers=headers)
    fields = list(columns.items())
    cccd_col = columns.get("cccd") if typed else None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        width = len(row)
        raw = {}
        for name, col in fields:
            value = row[col] if col < width else ""
            # Text cells (nearly all) are taken as they are; _cell_text shapes the others.
            raw[name] = value if type(value) is str else _cell_text(name, value, typed)
        if cccd_col is not None and cccd_col < width:
            value = row[cccd_col]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                table.numeric_cccd.add(index + 1)
        table.rows.append((index + 1, raw))
    return table


def _cell_text(name: str, value, typed: bool) -> str:
    """Spreadsheet values as the text a clerk would have typed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, timedelta):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        number = int(value)
        if name == "birth" and not 1800 <= number <= 2200 and 0 < number < 80000:
            return (EXCEL_EPOCH + timedelta(days=number)).strftime("%d/%m/%Y")
        if name == "cccd" and len(str(number)) in (10, 11):
            return str(number).zfill(12)  # a number cell lost the leading zeros
        if name == "phone" and len(str(number)) == 9:
            return "0" + str(number)
        return str(number)
    return str(value)
