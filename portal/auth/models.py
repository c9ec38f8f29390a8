"""Accounts and their (role, unit) grants."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow
from portal.units.models import Unit


class Role(str, enum.Enum):
    COMMUNE_CLERK = "commune_clerk"
    DISTRICT_OFFICER = "district_officer"
    DEPARTMENT_HEAD = "department_head"
    DEPARTMENT_STAFF = "department_staff"
    STEERING_OFFICE = "steering_office"
    SECRETARY = "secretary"
    ADMIN = "admin"
    LAB_TECHNICIAN = "lab_technician"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COMMUNE_CLERK: "Cán bộ xã/phường",
    Role.DISTRICT_OFFICER: "Cán bộ quận/huyện",
    Role.DEPARTMENT_HEAD: "Lãnh đạo sở / trưởng phòng",
    Role.DEPARTMENT_STAFF: "Chuyên viên",
    Role.STEERING_OFFICE: "Văn phòng / Ban chỉ đạo",
    Role.SECRETARY: "Văn thư / thư ký",
    Role.ADMIN: "Quản trị",
    Role.LAB_TECHNICIAN: "Kỹ thuật viên xét nghiệm",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: changing it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Second factor (TOTP, RFC 6238): the base32 secret once enrolled, and the last time step
    # accepted, so that a code is used only once (portal/auth/totp.py).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]

    grants: Mapped[list[Grant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    def units_for(self, *roles: Role) -> list[Unit]:
        return [g.unit for g in self.grants if g.role in roles]

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Grant(db.Model):
    """One role held on one unit. A user holding two roles has two grants; both apply."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_grant_user_role_unit"),)
