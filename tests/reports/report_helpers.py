"""Helpers for the report tests: deterministic rosters of any size, PDF text and fonts."""
from __future__ import annotations

import random
import subprocess
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from portal.campaigns.models import Campaign, CampaignKind
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind, Sex, Zone
from portal.rosters.sorting import sort_key
from portal.text import clean, fold
from portal.units.services import by_code

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thu", "Quốc", "Thành", "Diệu", "Xuân", "Phương"]
GIVEN = ["An", "Anh", "Bình", "Châu", "Cường", "Dũng", "Duyên", "Đạt", "Giang", "Hà", "Hải", "Hằng", "Hương", "Hưng",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Nhung", "Oanh", "Phúc", "Quân", "Quỳnh",
         "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Uyên", "Việt", "Xuân", "Yến", "Ước", "Ánh", "Ơn"]
STREETS = ["Phó Đức Chính", "Tân Ấp", "Nghĩa Dũng", "Đội Cấn", "Hàng Bột", "Yên Phụ", "Trúc Bạch"]


TEST_CAMPAIGN = "Chiến dịch kiểm thử báo cáo"


def _campaign(name: str) -> Campaign:
    """The demo campaign, or a campaign of its own for the report tests (the demo rosters stay apart)."""
    campaign = db.session.scalars(select(Campaign).where(Campaign.name == name)).first()
    if campaign is None:
        campaign = Campaign(name=name, kind=CampaignKind.BOTH, unit=by_code("01"),
                            starts_on=date(2021, 10, 1), ends_on=date(2021, 10, 31))
        db.session.add(campaign)
        db.session.flush()
    return campaign


def make_roster(unit_code: str = "00001", size: int = 50, kind: RosterKind = RosterKind.TESTING,
                seed: int = 7, campaign_name: str = TEST_CAMPAIGN) -> Roster:
    """A roster of exactly `size` people with Vietnamese names, spread over the three zones
    (in a campaign of its own by default, so the demo's people do not mix in)."""
    rng = random.Random(seed)
    unit = by_code(unit_code)
    campaign = _campaign(campaign_name)
    roster = db.session.scalars(select(Roster).where(
        Roster.unit_id == unit.id, Roster.campaign_id == campaign.id, Roster.kind == kind)).first()
    if roster is None:
        roster = Roster(unit=unit, campaign=campaign, kind=kind)
        db.session.add(roster)
        db.session.flush()
    rows = []
    for i in range(size):
        sex = Sex.FEMALE if i % 2 else Sex.MALE
        middle = "Thị" if sex is Sex.FEMALE and rng.random() < 0.6 else rng.choice(MIDDLE)
        name = clean(f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}")
        year = rng.randint(1935, 2015)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        century = 0 if year < 2000 else 2
        cccd = f"001{century + (1 if sex is Sex.FEMALE else 0)}{year % 100:02d}{rng.randint(0, 999999):06d}" if year < 2008 else None
        zone = Zone.LOCKDOWN if i % 10 == 0 else Zone.HIGH_RISK if i % 10 in (1, 2) else Zone.OTHER
        rows.append({
            "roster_id": roster.id, "unit_id": unit.id, "campaign_id": campaign.id, "full_name": name,
            "name_folded": fold(name), "sort_key": sort_key(name), "birth_date": birth, "birth_year": year, "sex": sex,
            "cccd": cccd, "phone": None, "address": f"Số {rng.randint(1, 200)} {rng.choice(STREETS)}",
            "zone": zone, "prior_doses": 0,
        })
    if rows:
        db.session.execute(insert(Person), rows)
    db.session.commit()
    return roster


def flat_text(text: str) -> str:
    """pdftotext's text with every run of spaces and line breaks as one space."""
    return " ".join(text.split())


def demo_campaign() -> Campaign:
    from portal.demo.loader import DEMO_CAMPAIGN

    return db.session.scalars(select(Campaign).where(Campaign.name == DEMO_CAMPAIGN)).one()


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False, raw: bool = False) -> str:
    """The PDF's text. `raw` keeps the drawing order: a table cell's lines stay together."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + (["-raw"] if raw else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    return pdf_text(pdf, tmp_path).split("\f")[:-1]


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[dict]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... emb sub uni object ID: the flags are the 5th..3rd fields from the end.
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts
