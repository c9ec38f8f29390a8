"""Spreadsheets as communes really send them, built in memory for the import tests."""
import io
import zipfile
from datetime import datetime

import xlsxwriter

HEADER = ["STT", "HỌ VÀ TÊN", "Ngày, tháng, năm sinh", "Giới tính", "Số CMND/CCCD", "SĐT", "Địa chỉ", "Khu vực"]


def messy_xlsx(foreign_cccd: str = "001199000001") -> bytes:
    """Title rows, merged cells, mixed date forms, a CCCD stored as a number, errors, a footer.

    Rows (spreadsheet numbering): 5..16 data. Expected: accepted 7, rejected 4, warned 1."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("DS lấy mẫu")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.merge_range("A1:H1", "UBND PHƯỜNG PHÚC XÁ")
    sheet.merge_range("A2:H2", "DANH SÁCH NGƯỜI DÂN LẤY MẪU XÉT NGHIỆM SARS-CoV-2 (TỔ 7)")
    sheet.write_row(3, 0, HEADER)
    rows = [
        # 5: a date cell
        [1, "nguyễn văn  an", datetime(1985, 3, 2), "Nam", "001085012345", "0912345678", "Số 5 ngõ 12 Nghĩa Dũng", "Phong tỏa"],
        # 6: an Excel serial without date format, a CCCD that lost its leading zeros as a number
        [2, "TRẦN THỊ BÌNH", 31108, "nữ", 1185012346, "0912 345 679", "Số 7 ngõ 12 Nghĩa Dũng", "phong toa"],
        # 7: text date, +84 phone, zone without diacritics
        [3, "Lê Văn Cường", "5/9/1990", "M", "", "+84 912 345 001", "Số 2 Tân Ấp", "nguy co cao"],
        # 8 and 9: one household, its address merged down over both rows
        [4, "Phạm Thị Dung", "1970", "Nữ", "001170000111", "", "Số 10 Phúc Xá", "Khác"],
        [5, "Phạm Minh Đức", "12/12/2012", "Nam", "", "", None, ""],
        # 10: a sex nobody can read
        [6, "Vũ Văn Em", "1980", "X", "001080000222", "", "Số 3 Hồng Hà", ""],
        # 11: a CCCD too short
        [7, "Đỗ Thị Gấm", "1981", "Nữ", "12345", "", "Số 4 Hồng Hà", ""],
        # 12: same CCCD as row 5
        [8, "Nguyễn Văn An", "02/03/1985", "Nam", "001085012345", "", "Số 5 ngõ 12 Nghĩa Dũng", ""],
        # 13: a CCCD already on another commune's roster
        [9, "Hoàng Văn Hải", "1990", "Nam", foreign_cccd, "", "Số 8 Tân Ấp", ""],
        # 14: CCCD says female, entered male: a warning, still imported
        [10, "Ngô Văn Kiên", "1975", "Nam", "001175000333", "", "Số 9 Tân Ấp", ""],
        # 15: blank; 16: a clerk's signature line
        [None, None, None, None, None, None, None, None],
        [None, "Người lập biểu", None, None, None, None, None, None],
        # 17: old 9-digit CMND
        [11, "Kiều Thị Lan", "1950", "Nữ", "012345678", "0243 823 456".replace(" ", "")[:10], "Số 1 Phúc Xá", ""],
    ]
    for offset, row in enumerate(rows):
        r = 4 + offset
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    sheet.merge_range("G8:G9", "Số 10 Phúc Xá")
    book.close()
    return buffer.getvalue()


MESSY_ACCEPTED, MESSY_REJECTED, MESSY_WARNED = 7, 4, 1


def simple_xlsx(rows: list[list], header=HEADER) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * (40 * 1024 * 1024) + b"</sheetData>")
    return buffer.getvalue()


def xml_entity_xlsx() -> bytes:
    """A billion-laughs style DTD inside an otherwise plausible package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
                                                '<!ENTITY b "&a;&a;&a;&a;">]><Types>&b;</Types>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    return buffer.getvalue()
