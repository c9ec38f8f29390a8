"""The demo: Hà Nội as the 2021 directives knew it, with one account per role.

Other checks rely on these names and accounts; change them only with the issue."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.admin import services as admin_services
from portal.auth.models import Role, User
from portal.campaigns.models import Campaign, CampaignKind
from portal.extensions import db
from portal.rosters.demo import load_demo_rosters
from portal.units import services as unit_services

DEMO_PASSWORD = "demo1234"
DEMO_CAMPAIGN = "Chiến dịch tháng 9/2021"
UNITS_CSV = Path(__file__).with_name("hanoi_2021_units.csv")

# username, full name, role, unit code
ACCOUNTS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, "01"),
    ("vanphong", "Trần Minh Tuấn", Role.STEERING_OFFICE, "01"),
    ("soyte", "Nguyễn Thị Hương", Role.DEPARTMENT_HEAD, "SYT"),
    ("chuyenvien", "Lê Văn Hùng", Role.DEPARTMENT_STAFF, "SYT"),
    ("congan", "Phạm Quốc Đạt", Role.DEPARTMENT_HEAD, "CATP"),
    ("quan", "Đỗ Thị Lan", Role.DISTRICT_OFFICER, "001"),
    ("xa1", "Vũ Văn Nam", Role.COMMUNE_CLERK, "00001"),
    ("xa2", "Hoàng Thị Mai", Role.COMMUNE_CLERK, "00004"),
    ("thuky", "Bùi Thị Ngọc", Role.SECRETARY, "SYT"),
    ("xetnghiem", "Đinh Thị Thu", Role.LAB_TECHNICIAN, "CDC"),
]


def already_loaded() -> bool:
    return db.session.scalars(select(User).limit(1)).first() is not None


def load() -> None:
    report = unit_services.import_csv(UNITS_CSV.read_text(encoding="utf-8"))
    if report.errors:
        raise RuntimeError("; ".join(report.errors))
    for username, full_name, role, unit_code in ACCOUNTS:
        user = admin_services.create_user(None, username, full_name, DEMO_PASSWORD)
        admin_services.add_grant(None, user, role, unit_services.by_code(unit_code))
    db.session.add(
        Campaign(name=DEMO_CAMPAIGN, kind=CampaignKind.BOTH, unit=unit_services.by_code("01"),
                 starts_on=date(2021, 9, 1), ends_on=date(2021, 9, 30))
    )
    db.session.flush()
    load_demo_rosters(DEMO_CAMPAIGN)
    # campaigns, samples, doses: after the rosters' demo people, whose rows it samples
    from portal.sampling import demo as sampling_demo

    sampling_demo.load(DEMO_CAMPAIGN)
    from portal.directives import demo as directives_demo

    directives_demo.load()


def accounts_text() -> str:
    lines = ["Tài khoản mẫu (mật khẩu: demo1234):"]
    for username, _, role, unit_code in ACCOUNTS:
        unit = unit_services.by_code(unit_code)
        lines.append(f"  {username:<11} {role.label} — {unit.name}")
    return "\n".join(lines)
