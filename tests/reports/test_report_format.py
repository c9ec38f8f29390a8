"""Vietnamese administrative formats and the generated texts (plain functions)."""
from datetime import date

from portal.reports import summaries
from portal.reports.formatting import date_in_words, number_text, vn_decimal, vn_number, vn_percent


def test_date_in_words_pads_day_below_ten_and_months_one_and_two():
    assert date_in_words("Hà Nội", date(2021, 9, 5)) == "Hà Nội, ngày 05 tháng 9 năm 2021"
    assert date_in_words("Hà Nội", date(2021, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2021"
    assert date_in_words("Hà Nội", date(2021, 2, 28)) == "Hà Nội, ngày 28 tháng 02 năm 2021"
    assert date_in_words("Hà Nội", date(2021, 12, 15)) == "Hà Nội, ngày 15 tháng 12 năm 2021"
    assert date_in_words("Hà Nội", date(2021, 10, 10)) == "Hà Nội, ngày 10 tháng 10 năm 2021"


def test_number_text_pads_below_ten_and_leaves_draft_blank():
    assert number_text(5, "BC-SYT") == "05/BC-SYT"
    assert number_text(15, "BC-SYT") == "15/BC-SYT"
    assert number_text(123, "BC-SYT") == "123/BC-SYT"
    assert number_text(None, "BC-SYT").endswith("/BC-SYT") and not any(c.isdigit() for c in number_text(None, "BC-SYT"))


def test_vietnamese_numbers_and_percentages():
    assert vn_number(1234567) == "1.234.567"
    assert vn_number(0) == "0" and vn_number(None) == "0"
    assert vn_decimal(1234.56) == "1.234,6"
    assert vn_percent(853, 1000) == "85,3%"
    assert vn_percent(1, 3) == "33,3%"
    assert vn_percent(5, 0) == "-"


def _unit(name, people, met):
    return {"name": name, "people": people, "met": met, "sampled": met, "pending": 0, "positive": 0, "behind": met < people}


def test_behind_first_puts_units_behind_target_first_lowest_share_first():
    units = [_unit("A", 100, 100), _unit("B", 100, 50), _unit("C", 100, 90), _unit("D", 0, 0)]
    assert [u["name"] for u in summaries.behind_first(units)] == ["B", "C", "A", "D"]


def test_testing_summary_names_units_behind_and_uses_vietnamese_figures():
    data = {"totals": {"people": 1234567, "rounds": [1000000, 0, 0], "met": 1000000, "samples": 1100000, "pending": 12, "positive": 3},
            "zones": [{"label": "Phong tỏa", "required": 3, "deadline": "15/09/2021", "people": 10, "met": 7}],
            "units": [_unit("Phường Phúc Xá", 10, 7), _unit("Phường Trúc Bạch", 5, 5)]}
    text = " ".join(summaries.testing_summary(data))
    assert "1.234.567 người" in text and "81,0%" in text
    assert "Khu vực phong tỏa (yêu cầu lấy mẫu 3 lần trước ngày 15/09/2021): 7/10 người đạt yêu cầu (70,0%)" in text
    assert "Có 1/2 đơn vị chưa đạt mục tiêu: Phường Phúc Xá." in text
    assert summaries.testing_proposals(data)[0].startswith("Đề nghị các đơn vị chưa đạt")


def test_task_summary_counts_each_status_class():
    data = {"total": 4, "counts": [{"key": "done_on_time", "count": 1}, {"key": "done_late", "count": 1},
                                   {"key": "in_progress", "count": 1}, {"key": "overdue", "count": 1}]}
    text = " ".join(summaries.task_summary(data))
    assert "đã hoàn thành: 2 (50,0%)" in text and "chưa hoàn thành, quá hạn: 1" in text
