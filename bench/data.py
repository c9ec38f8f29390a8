"""Synthetic, reproducible people for the benchmarks: Vietnamese names with diacritics (NFC),
CCCDs that agree with sex and birth year, phones, addresses and zones.

Everything comes from random.Random(seed): the same seed gives the same people."""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

# Family names weighted roughly as in Vietnam's population (Nguyễn ~38%, Trần ~11%, ...).
FAMILY = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 20),
    ("Phan", 45), ("Vũ", 25), ("Võ", 14), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đào", 4), ("Đoàn", 4), ("Trịnh", 4), ("Mai", 3),
    ("Lương", 3), ("Đinh", 3), ("Tạ", 2), ("Quách", 1), ("Kiều", 1), ("Khúc", 1), ("Lưu", 2),
]
MIDDLE = {
    "male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Tiến", "Anh", "Ngọc",
             "Trọng", "Mạnh", "Đình", "Quốc", "Hoàng", "Gia", "Bảo", "Thế", "Việt"],
    "female": ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Thùy", "Phương", "Kim", "Bích",
               "Mai", "Khánh", "Diệu", "Hải", "Quỳnh", "Lan", "Tuyết", "Hoài", "Bảo", "Thảo"],
}
GIVEN = {
    "male": ["An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Dương", "Giang", "Hải", "Hiếu",
             "Hòa", "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc",
             "Mạnh", "Minh", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phong", "Phúc", "Quân", "Quang",
             "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
             "Vũ", "Hưng", "Hậu", "Định", "Lực", "Tiến", "Trường"],
    "female": ["An", "Anh", "Bích", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
               "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Hường", "Lan", "Liên", "Linh", "Loan", "Ly",
               "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Nhi", "Oanh", "Phương", "Quỳnh",
               "Tâm", "Thảo", "Thơ", "Thủy", "Thư", "Trang", "Trinh", "Tú", "Uyên", "Vân", "Yến",
               "Xuân", "Ánh", "Ngà", "Nhàn", "Tuyết", "Hậu", "Thúy"],
}
STREET_WORDS = ["Hoàng Hoa Thám", "Đội Cấn", "Kim Mã", "Phúc Xá", "Trúc Bạch", "Quán Thánh",
                "Nguyễn Trãi", "Lê Duẩn", "Giải Phóng", "Minh Khai", "Tam Trinh", "Bạch Mai",
                "Láng Hạ", "Thái Hà", "Tây Sơn", "Trường Chinh", "Cầu Giấy", "Xuân Thủy"]
PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070",
                  "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088",
                  "089", "090", "091", "093", "094", "096", "097", "098"]
# Zones of a city under an outbreak: most people in "other", some high-risk, a few in lockdown.
ZONES = [("lockdown", 5), ("high_risk", 12), ("other", 83)]


@dataclass(slots=True)
class PersonData:
    full_name: str
    sex: str            # "male" / "female"
    birth_date: date
    cccd: str | None    # None for children under 14 (no card yet)
    phone: str | None
    address: str
    zone: str

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    @property
    def sex_label(self) -> str:
        return "Nam" if self.sex == "male" else "Nữ"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def cccd_for(rng: random.Random, province_code: str, sex: str, birth_year: int) -> str:
    """12 digits: province code (3), sex+century digit, last two digits of the birth year, 6 random."""
    century = 0 if birth_year < 2000 else 2
    sex_digit = century + (0 if sex == "male" else 1)
    return f"{int(province_code):03d}{sex_digit}{birth_year % 100:02d}{rng.randrange(10**6):06d}"


class PeopleFactory:
    def __init__(self, seed: int = 2021, province_code: str = "01", today: date = date(2021, 9, 1)):
        self.rng = random.Random(seed)
        self.province_code = province_code
        self.today = today
        self._family = [name for name, _ in FAMILY]
        self._family_w = [w for _, w in FAMILY]
        self._zone = [z for z, _ in ZONES]
        self._zone_w = [w for _, w in ZONES]
        self._serials: set[str] = set()

    def person(self, commune_name: str = "") -> PersonData:
        rng = self.rng
        sex = "male" if rng.random() < 0.495 else "female"
        family = rng.choices(self._family, self._family_w)[0]
        middle = rng.choice(MIDDLE[sex])
        given = rng.choice(GIVEN[sex])
        if rng.random() < 0.15:  # some names carry a second middle name
            middle = f"{middle} {rng.choice(MIDDLE[sex])}"
        age = min(int(rng.triangular(0, 95, 30)), 100)
        birth = self.today - timedelta(days=age * 365 + rng.randrange(365))
        cccd = None
        if age >= 14:
            while True:  # unique within the data set, like the real register
                cccd = cccd_for(rng, self.province_code, sex, birth.year)
                if cccd not in self._serials:
                    self._serials.add(cccd)
                    break
        phone = None
        if age >= 12 and rng.random() < 0.9:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if rng.random() < 0.6:
            address = f"Số {rng.randint(1, 200)} ngõ {rng.randint(1, 150)} {rng.choice(STREET_WORDS)}, tổ dân phố {rng.randint(1, 40)}"
        else:
            address = f"Thôn {rng.randint(1, 12)}"
        if commune_name:
            address += f", {commune_name}"
        zone = rng.choices(self._zone, self._zone_w)[0]
        return PersonData(_nfc(f"{family} {middle} {given}"), sex, birth, cccd, phone, _nfc(address), zone)

    def people(self, count: int, commune_name: str = "") -> list[PersonData]:
        return [self.person(commune_name) for _ in range(count)]


ZONE_LABELS = {"lockdown": "Phong tỏa", "high_risk": "Nguy cơ cao", "other": "Khác"}


def write_roster_xlsx(path, people: list[PersonData], commune_name: str) -> None:
    """A roster file as communes have them: title rows above the header, merged title cells,
    dates as text dd/mm/yyyy, a footer row."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    bold = book.add_format({"bold": True, "align": "center"})
    sheet.merge_range(0, 0, 0, 7, f"UBND {commune_name.upper()}", bold)
    sheet.merge_range(1, 0, 1, 7, "DANH SÁCH NGƯỜI DÂN LẤY MẪU XÉT NGHIỆM", bold)
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Địa chỉ", "Khu vực"]
    sheet.write_row(3, 0, header, bold)
    for i, p in enumerate(people, start=1):
        sheet.write_row(3 + i, 0, [
            i, p.full_name, p.birth_date.strftime("%d/%m/%Y"), p.sex_label, p.cccd or "", p.phone or "",
            p.address, ZONE_LABELS[p.zone],
        ])
    sheet.write(4 + len(people) + 1, 1, "Người lập biểu")
    book.close()
