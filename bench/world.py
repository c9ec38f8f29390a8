"""A benchmark database: migrated like production, holding a real province's communes from
the vietnam-provinces package, a health department, a campaign and accounts per role."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.config import Config
from portal.extensions import db

PROVINCE = "01"  # Hà Nội: 126 communes in the 2025 two-level structure
PASSWORD = "bench-pass-2021"
CAMPAIGN = "Chiến dịch đo hiệu năng 2021"
SECRET_KEY = "bench-" + "0123456789abcdef" * 4


@dataclass
class Accounts:
    clerks: list[tuple[str, str]] = field(default_factory=list)   # (username, commune code)
    office: str = "vanphong"          # steering office at the province
    health_head: str = "soyte"        # department head at the health department (Sở Y tế)
    secretary: str = "thuky"


@dataclass
class World:
    db: str           # "sqlite" / "postgresql"
    url: str
    province_code: str
    communes: list[tuple[str, str]]   # (code, name)
    accounts: Accounts
    campaign_id: int
    drop: object = None               # callable that removes the database
    sites: dict = field(default_factory=dict)  # commune code -> sampling point id (clerks' communes)

    def app_config(self, **overrides) -> Config:
        return bench_config(self.url, **overrides)


def bench_config(url: str, **overrides) -> Config:
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SECRET_KEY = SECRET_KEY
    config.RATELIMIT_STORAGE_URI = "memory://"
    # Bench accounts sign in a few times only: a cheap hash keeps set-up fast (not measured).
    config.PASSWORD_TIME_COST = 1
    config.PASSWORD_MEMORY_COST = 1024
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def server_env(world: World, **extra) -> dict:
    """The environment gunicorn workers read their configuration from (portal.config)."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": world.url,
        "SECRET_KEY": SECRET_KEY,
        "PORTAL_ENV": "production",
        "RATELIMIT_STORAGE_URI": "memory://",
        # A clerk records samples for hours: the idle timeout must not end bench sessions.
        "PORTAL_IDLE_MINUTES": "600",
    })
    env.update(extra)
    return env


def new_database(kind: str, workdir: Path) -> tuple[str, object]:
    """An empty database: a SQLite file in workdir, or a PostgreSQL database on the server of
    TEST_DATABASE_URL (bin/with-postgres). Returns (url, drop)."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in workdir.glob(path.name + "*")]
    admin_url = os.environ["TEST_DATABASE_URL"]
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop():
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()

    return url, drop


def _campaign(province, syt, accounts):
    """A running campaign set up through the portal's services: three rounds around today (the
    sampling point records into today's round), the default zone targets, the CDC lab as default
    lab of the routing plan, one sampling point per clerk's commune."""
    from portal.campaigns import services as campaigns
    from portal.campaigns.models import CampaignKind, SiteKind
    from portal.timeutil import local_today
    from portal.units import services as unit_services
    from portal.units.models import UnitKind

    today = local_today()
    campaign = campaigns.create_campaign(None, CAMPAIGN, CampaignKind.BOTH, province,
                                         today - timedelta(days=12), today + timedelta(days=8))
    for first, last in ((-12, -9), (-8, -5), (-4, 2)):
        campaigns.add_round(None, campaign, today + timedelta(days=first), today + timedelta(days=last))
    lab, _ = unit_services.upsert_unit("CDC", "Trung tâm Kiểm soát bệnh tật", UnitKind.HEALTH_FACILITY, syt)
    campaigns.add_lab(None, campaign, lab, is_default=True)
    sites = {}
    for _username, code in accounts.clerks:
        commune = unit_services.by_code(code)
        site = campaigns.add_site(None, campaign, SiteKind.SAMPLING_POINT, f"Điểm lấy mẫu {commune.name}", commune)
        sites[code] = site.id
    return campaign.id, sites


def build_world(kind: str, workdir: Path, clerks: int = 40) -> World:
    from flask_migrate import upgrade

    from portal.admin import services as admin_services
    from portal.auth.models import Role
    from portal.units import services as unit_services
    from portal.units.models import Unit, UnitKind

    url, drop = new_database(kind, workdir)
    app = create_app(bench_config(url))
    with app.app_context():
        upgrade()
        unit_services.import_from_package(PROVINCE)
        province = unit_services.by_code(PROVINCE)
        syt, _ = unit_services.upsert_unit("SYT", "Sở Y tế", UnitKind.DEPARTMENT, province, health_authority=True)
        communes = [(u.code, u.name) for u in db.session.scalars(
            sa.select(Unit).where(Unit.kind == UnitKind.COMMUNE).order_by(Unit.code))]
        accounts = Accounts()

        def account(username, full_name, role, unit):
            user = admin_services.create_user(None, username, full_name, PASSWORD)
            admin_services.add_grant(None, user, role, unit)

        account(accounts.office, "Trần Minh Tuấn", Role.STEERING_OFFICE, province)
        account(accounts.health_head, "Nguyễn Thị Hương", Role.DEPARTMENT_HEAD, syt)
        account(accounts.secretary, "Bùi Thị Ngọc", Role.SECRETARY, syt)
        for i, (code, _name) in enumerate(communes[:clerks], start=1):
            username = f"xa{i:03d}"
            account(username, f"Cán bộ xã {i}", Role.COMMUNE_CLERK, unit_services.by_code(code))
            accounts.clerks.append((username, code))
        campaign_id, sites = _campaign(province, syt, accounts)
        db.session.commit()
        world = World(kind, url, PROVINCE, communes, accounts, campaign_id, drop, sites=sites)
        db.session.remove()
        db.engine.dispose()
    return world
