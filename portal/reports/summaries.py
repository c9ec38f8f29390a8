"""The short texts a report prints, generated from its figures (plain, tested functions)."""
from __future__ import annotations

from portal.reports.formatting import vn_number as n
from portal.reports.formatting import vn_percent as pct


def behind_first(units: list[dict]) -> list[dict]:
    """Units behind target first (lowest share meeting the target first), then the others."""
    def share(u):
        return (u["met"] / u["people"]) if u["people"] else 1.0
    return sorted(units, key=lambda u: (not u["behind"], share(u), u.get("sort", u["name"])))


def testing_summary(data: dict) -> list[str]:
    t = data["totals"]
    sampled = t.get("sampled", t["rounds"][0] if t["rounds"] else 0)  # reports issued before "sampled" was kept
    if not t["samples"]:
        return [f"Tổng số người trong danh sách lấy mẫu: {n(t['people'])} người.",
                "Không có mẫu xét nghiệm nào được lấy trong kỳ báo cáo."]
    paragraphs = [
        f"Tổng số người trong danh sách lấy mẫu: {n(t['people'])} người; đã lấy mẫu ít nhất 1 lần trong kỳ: "
        f"{n(sampled)} người ({pct(sampled, t['people'])}); "
        f"đạt số lần lấy mẫu theo yêu cầu của khu vực: {n(t['met'])} người ({pct(t['met'], t['people'])}).",
        f"Số mẫu đã lấy trong kỳ: {n(t['samples'])} mẫu; số người có mẫu lấy trong kỳ đang chờ kết quả: "
        f"{n(t['pending'])}; số trường hợp dương tính (mẫu lấy trong kỳ): {n(t['positive'])}.",
    ]
    for zone in data["zones"]:
        if zone["people"]:
            paragraphs.append(
                f"Khu vực {zone['label'].lower()} (yêu cầu lấy mẫu {zone['required']} lần"
                f"{' trước ngày ' + zone['deadline'] if zone.get('deadline') else ''}): "
                f"{n(zone['met'])}/{n(zone['people'])} người đạt yêu cầu ({pct(zone['met'], zone['people'])})."
            )
    behind = [u for u in data["units"] if u["behind"]]
    if not data["units"]:
        pass
    elif behind:
        names = ", ".join(u["name"] for u in behind[:5]) + (f" và {n(len(behind) - 5)} đơn vị khác" if len(behind) > 5 else "")
        paragraphs.append(f"Có {n(len(behind))}/{n(len(data['units']))} đơn vị chưa đạt mục tiêu: {names}.")
    else:
        paragraphs.append(f"Toàn bộ {n(len(data['units']))} đơn vị đã đạt mục tiêu lấy mẫu.")
    return paragraphs


def testing_proposals(data: dict) -> list[str]:
    behind = [u for u in data["units"] if u["behind"]]
    items = []
    if behind:
        items.append("Đề nghị các đơn vị chưa đạt mục tiêu khẩn trương rà soát danh sách, bố trí thêm điểm lấy mẫu "
                     "và tổ lấy mẫu lưu động để hoàn thành số lần lấy mẫu theo yêu cầu đúng thời hạn.")
    if data["totals"]["pending"]:
        items.append("Đề nghị các phòng xét nghiệm trả kết quả các mẫu đang chờ trong thời gian sớm nhất.")
    if data["totals"]["positive"]:
        items.append("Đề nghị Trung tâm Kiểm soát bệnh tật phối hợp với địa phương điều tra dịch tễ, truy vết và "
                     "cách ly kịp thời các trường hợp dương tính.")
    return items or ["Tiếp tục duy trì tiến độ lấy mẫu và cập nhật số liệu theo thời gian thực."]


def vaccination_summary(data: dict) -> list[str]:
    c = data["coverage"]
    paragraphs = [
        f"Tổng số người trong danh sách tiêm chủng: {n(c['people'])} người; đã tiêm ít nhất 1 mũi: "
        f"{n(c['one'])} người ({pct(c['one'], c['people'])}); đã tiêm đủ 2 mũi: {n(c['two'])} người "
        f"({pct(c['two'], c['people'])}).",
        f"Trong kỳ báo cáo đã tiêm {n(data['total_doses'])} mũi tại {n(len(data['by_site']))} điểm tiêm.",
    ]
    if data["by_day"]:
        best = max(data["by_day"], key=lambda d: d["doses"])
        paragraphs.append(f"Ngày tiêm nhiều nhất: {best['date']} với {n(best['doses'])} mũi.")
    return paragraphs


def task_summary(data: dict) -> list[str]:
    total = data["total"]
    counts = {c["key"]: c["count"] for c in data["counts"]}
    overdue = counts.get("overdue", 0)
    done = counts.get("done_on_time", 0) + counts.get("done_late", 0)
    paragraphs = [
        f"Tổng số nhiệm vụ: {n(total)}; đã hoàn thành: {n(done)} ({pct(done, total)}), trong đó đúng hạn "
        f"{n(counts.get('done_on_time', 0))}, quá hạn {n(counts.get('done_late', 0))}; chưa hoàn thành trong hạn: "
        f"{n(counts.get('in_progress', 0))}; chưa hoàn thành, quá hạn: {n(overdue)}"
        + (f"; chưa tiếp nhận: {n(counts['not_accepted'])}." if counts.get("not_accepted") else ".")
    ]
    if overdue:
        paragraphs.append(f"Các nhiệm vụ quá hạn ({n(overdue)}) được liệt kê trước trong bảng dưới đây; đề nghị các "
                          "đơn vị chủ trì khẩn trương hoàn thành và báo cáo kết quả.")
    return paragraphs
