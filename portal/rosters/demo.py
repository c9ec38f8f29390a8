"""Demo rosters: a few hundred realistic residents in every demo commune, seeded, bulk-inserted.

Names, dates and phones are invented; CCCD numbers follow the real layout (001 for Hà Nội, the
sex/century digit, the birth year) so that the validation agrees with them, except for a few
deliberate entry slips that show up as warnings."""
from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from portal import audit
from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.coverage.services import count_inserted_people
from portal.extensions import db
from portal.rosters.models import (
    BatchStatus, ImportBatch, ImportRow, Person, Roster, RosterKind, RosterStatus, Sex,
)
from portal.rosters.validation import validate_row
from portal.timeutil import utcnow
from portal.units.models import Unit

SEED = 20210901
TODAY = date(2021, 9, 5)

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4), ("Vũ", 4), ("Đặng", 2),
          ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Đào", 1),
          ("Trịnh", 1), ("Mai", 1), ("Tạ", 1), ("Lương", 1), ("Chu", 1), ("Cao", 1), ("Kiều", 1), ("Nghiêm", 1),
          ("Khúc", 1), ("Vương", 1), ("Hà", 1)]
MIDDLE = {Sex.MALE: ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Mạnh", "Tiến", "Công", "Ngọc", "Anh",
                     "Hoàng", "Trung", "Gia", "Bảo", "Việt"],
          Sex.FEMALE: ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Thùy", "Kim", "Bích", "Hồng",
                       "Lan", "Mai", "Diệu", "Khánh", "Bảo"]}
GIVEN = {Sex.MALE: ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khôi", "Kiên",
                    "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Thắng", "Thành", "Tiến", "Trung",
                    "Tuấn", "Tùng", "Việt", "Vinh", "Đạt", "Hưng", "Lâm", "Nghĩa", "Toàn", "Ấn", "Ân", "Bách", "Duy"],
         Sex.FEMALE: ["Anh", "Ánh", "Châm", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
                      "Hồng", "Hương", "Hường", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "Ngọc", "Nhung", "Oanh",
                      "Phương", "Quyên", "Thảo", "Thơ", "Thủy", "Trang", "Uyên", "Vân", "Yến", "Ngân", "Ấu", "Đào"]}
PHONE_PREFIXES = ["091", "094", "098", "097", "096", "086", "088", "032", "033", "035", "036", "037", "038", "039",
                  "070", "076", "077", "079", "081", "083", "084", "085", "056", "058"]

# Real streets of each demo ward (2021); the first lane listed is under lockdown, the second high-risk.
STREETS = {
    "00001": ["Nghĩa Dũng", "Tân Ấp", "Phúc Xá", "Hồng Hà", "Bãi Phúc Xá"],
    "00004": ["Trấn Vũ", "Trúc Bạch", "Ngũ Xã", "Châu Long", "Nguyễn Khắc Hiếu", "Lạc Chính", "Phó Đức Chính"],
    "00006": ["Vĩnh Phúc", "Hoàng Hoa Thám", "Đốc Ngữ", "Liễu Giai"],
    "00007": ["Đào Tấn", "Đội Cấn", "Nguyễn Văn Ngọc", "Vạn Bảo", "Liễu Giai"],
    "00037": ["Phúc Tân", "Chương Dương Độ", "Bạch Đằng", "Vọng Hà"],
    "00040": ["Hàng Khoai", "Đồng Xuân", "Hàng Chiếu", "Hàng Giấy", "Nguyễn Thiện Thuật"],
    "00043": ["Hàng Mã", "Hàng Lược", "Hàng Cót", "Hàng Gà", "Hàng Rươi"],
}
SIZES = {"00001": 320, "00004": 280, "00006": 240, "00007": 220, "00037": 200, "00040": 210, "00043": 190}
# Where each demo roster stands, so that every screen shows something.
STATUSES = {"00006": RosterStatus.SUBMITTED, "00007": RosterStatus.APPROVED, "00037": RosterStatus.RETURNED,
            "00040": RosterStatus.SUBMITTED}


def _pick(rng, weighted):
    return rng.choices([w for w, _ in weighted], weights=[n for _, n in weighted])[0]


class _Residents:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cccds: set[str] = set()

    def cccd(self, sex: Sex, year: int) -> str:
        code = (0 if year < 2000 else 2) + (0 if sex is Sex.MALE else 1)
        while True:
            number = f"001{code}{year % 100:02d}{self.rng.randrange(10 ** 6):06d}"
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    def person(self, code: str, lanes: dict[str, list[str]]) -> dict:
        rng = self.rng
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        age = min(int(rng.triangular(0, 96, 32)), 98)
        birth = TODAY - timedelta(days=age * 365 + rng.randrange(365))
        name = f"{_pick(rng, FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        if rng.random() < 0.08:  # four-word names are common too
            name = f"{_pick(rng, FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        cccd = ""
        if age >= 14:
            if age >= 60 and rng.random() < 0.1:
                cccd = f"01{rng.randrange(10 ** 7):07d}"  # still on the old 9-digit CMND
            else:
                cccd = self.cccd(sex, birth.year)
                if rng.random() < 0.015:  # an entry slip: the sex digit typed wrong
                    cccd = cccd[:3] + str(int(cccd[3]) ^ 1) + cccd[4:]
        phone = ""
        if age >= 16 and rng.random() < 0.9:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10 ** 7):07d}"
        zone_pick = rng.random()
        zone = "Phong tỏa" if zone_pick < 0.12 else "Nguy cơ cao" if zone_pick < 0.35 else "Khác"
        street = rng.choice(lanes[zone])
        tdp = rng.randint(1, 18)
        if rng.random() < 0.5:
            address = f"Số {rng.randint(1, 120)} {street}, tổ {tdp}"
        else:
            address = f"Số {rng.randint(1, 60)}, {street}, tổ {tdp}"
        birth_text = str(birth.year) if rng.random() < 0.12 else birth.strftime("%d/%m/%Y")
        return {"full_name": name, "birth": birth_text, "sex": sex.value, "cccd": cccd, "phone": phone,
                "address": address, "zone": zone, "age": age}


def _lanes(rng, code: str) -> dict[str, list[str]]:
    streets = STREETS[code]
    lockdown = f"ngõ {rng.randrange(2, 200, 2)} {streets[0]}"
    risky = [f"ngõ {rng.randrange(1, 199, 2)} {streets[1 % len(streets)]}", f"phố {streets[0]}"]
    other = [f"phố {s}" for s in streets[1:]] + [f"ngõ {rng.randrange(1, 150)} {s}" for s in streets]
    return {"Phong tỏa": [lockdown], "Nguy cơ cao": risky, "Khác": other}


def _records(roster: Roster, rows: list[dict]) -> list[dict]:
    from portal.rosters.services import _stored_values

    now = utcnow()
    records = []
    for raw in rows:
        result = validate_row(raw, kind=roster.kind, today=TODAY)
        if result.errors or result.skipped:
            raise RuntimeError(f"demo row refused: {result.errors}")
        values = _stored_values(result.values, result.warnings)
        values.update(roster_id=roster.id, unit_id=roster.unit_id, campaign_id=roster.campaign_id,
                      created_at=now, updated_at=now)
        records.append(values)
    return records


def load_demo_rosters(campaign_name: str) -> None:
    rng = random.Random(SEED)
    residents = _Residents(rng)
    campaign = db.session.scalars(select(Campaign).where(Campaign.name == campaign_name)).one()
    users = {u.username: u for u in db.session.scalars(select(User))}
    reviewer = users.get("quan")
    people_rows: list[dict] = []
    rosters: list[Roster] = []
    first_testing = None
    for code, size in SIZES.items():
        commune = db.session.scalars(select(Unit).where(Unit.code == code)).one()
        lanes = _lanes(rng, code)
        testing = Roster(unit_id=commune.id, campaign_id=campaign.id, kind=RosterKind.TESTING)
        vaccination = Roster(unit_id=commune.id, campaign_id=campaign.id, kind=RosterKind.VACCINATION)
        db.session.add_all([testing, vaccination])
        db.session.flush()
        rosters += [testing, vaccination]
        first_testing = first_testing or testing
        residents_here = [residents.person(code, lanes) for _ in range(size)]
        people_rows += _records(testing, [{k: v for k, v in p.items() if k != "age"} for p in residents_here])
        adults = [p for p in residents_here if p["age"] >= 18][: size // 4]
        vacc_rows = []
        for p in adults:
            group = 1 + min(15, int(rng.triangular(0, 16, 8))) if p["age"] < 65 else 7
            vacc_rows.append({**{k: v for k, v in p.items() if k != "age"}, "priority_group": str(group),
                              "prior_doses": str(rng.choice((0, 0, 1, 1, 1, 2)))})
        people_rows += _records(vaccination, vacc_rows)
        clerk = users.get("xa1") if code == "00001" else users.get("xa2") if code == "00004" else None
        audit.record(clerk, "roster.create", testing, unit=commune.id, changes={"kind": "testing"}, address="demo")
        audit.record(clerk, "roster.create", vaccination, unit=commune.id, changes={"kind": "vaccination"},
                     address="demo")
        _demo_workflow(testing, STATUSES.get(code), clerk, reviewer)
    for start in range(0, len(people_rows), 1000):
        db.session.execute(Person.__table__.insert(), people_rows[start:start + 1000])
    placed: dict[int, Counter] = defaultdict(Counter)  # roster: (zone, priority group): people
    for r in people_rows:
        placed[r["roster_id"]][r["zone"], r["priority_group"]] += 1
    for roster in rosters:
        count_inserted_people(roster, placed[roster.id])
    _demo_doubtful_rows(first_testing, users.get("xa1"))
    db.session.flush()


def _demo_workflow(roster: Roster, status: RosterStatus | None, clerk, reviewer) -> None:
    if status is None:
        return
    steps = [("roster.submit", RosterStatus.DRAFT, RosterStatus.SUBMITTED, clerk, None)]
    if status is RosterStatus.APPROVED:
        steps.append(("roster.approve", RosterStatus.SUBMITTED, RosterStatus.APPROVED, reviewer, None))
    if status is RosterStatus.RETURNED:
        steps.append(("roster.return", RosterStatus.SUBMITTED, RosterStatus.RETURNED, reviewer,
                      "Thiếu người ở ngõ phong tỏa; bổ sung số CCCD còn trống của người trên 14 tuổi."))
    for action, old, new, actor, reason in steps:
        changes = {"status": [old.value, new.value]}
        if reason:
            changes["reason"] = reason
        audit.record(actor, action, roster, unit=roster.unit_id, changes=changes, address="demo")
        roster.return_reason = reason
    roster.status = status


def _demo_doubtful_rows(roster: Roster, clerk) -> None:
    """An import of Phúc Xá that left three rows to resolve."""
    batch = ImportBatch(roster_id=roster.id, unit_id=roster.unit_id, created_by_id=getattr(clerk, "id", None),
                        filename="danh-sach-to-7-phuc-xa.xlsx", status=BatchStatus.COMMITTED,
                        accepted=0, rejected=3, warned=0)
    db.session.add(batch)
    db.session.flush()
    rows = [
        (5, {"full_name": "Nguyễn Thị Hoa", "birth": "12/04/1978", "sex": "Nữ", "cccd": "00117812345",
             "phone": "0912 888 123", "address": "Số 9 ngõ 26 Tân Ấp, tổ 7", "zone": "Khác"},
         [["cccd", "Số CCCD phải gồm 12 chữ số (CMND cũ: 9 chữ số).", "error"]]),
        (9, {"full_name": "Trần Văn Tâm", "birth": "1965", "sex": "", "cccd": "",
             "phone": "0987 654 321", "address": "Số 14 Tân Ấp, tổ 7", "zone": "nguy co cao"},
         [["sex", "Vui lòng chọn giới tính (Nam hoặc Nữ).", "error"]]),
        (12, {"full_name": "Lê Minh Đức", "birth": "03/11/1990", "sex": "Nam", "cccd": "001090123456",
              "phone": "090.123.45", "address": "Số 3 ngõ 26 Tân Ấp, tổ 7", "zone": "Khác"},
         [["phone", "Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).", "error"]]),
    ]
    db.session.execute(ImportRow.__table__.insert(), [
        {"batch_id": batch.id, "roster_id": roster.id, "unit_id": roster.unit_id, "row_number": n, "rejected": True,
         "raw": json.dumps(raw, ensure_ascii=False), "messages": json.dumps(msgs, ensure_ascii=False)}
        for n, raw, msgs in rows
    ])
    audit.record(clerk, "roster.import", roster, unit=roster.unit_id,
                 changes={"batch": batch.id, "accepted": 0, "rejected": 3, "warnings": 0}, address="demo")
