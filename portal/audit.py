"""The audit log and the one helper that writes it.

Every change and every read of exported personal data goes through `record`.
The portal offers no way to edit or delete an entry.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow


# Vietnamese names of the actions, for the audit pages; an action without one shows its code.
ACTION_LABELS = {
    "login": "Đăng nhập",
    "change_password": "Đổi mật khẩu",
    "reset_password": "Đặt lại mật khẩu",
    "create_user": "Tạo tài khoản",
    "update_user": "Sửa thông tin tài khoản",
    "add_grant": "Thêm vai trò",
    "remove_grant": "Gỡ vai trò",
    "activate_user": "Mở khóa tài khoản",
    "deactivate_user": "Khóa tài khoản",
    "create_unit": "Tạo đơn vị",
    "update_unit": "Sửa đơn vị",
    "import_units": "Nạp cây đơn vị",
}


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")
    unit = relationship("Unit", lazy="joined")

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def detail_dict(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


def record(
    actor,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    unit=None,
    changes: dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEvent:
    """Add one audit entry to the current transaction (committed with the change it describes).

    `obj` may be any model row: its table name and id are taken from it.
    `changes` maps a field to (old, new) or to a plain value; never put passwords in it.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if address is None:
        address = _request_address()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        unit_id=getattr(unit, "id", unit),
        detail=json.dumps(changes or {}, ensure_ascii=False, default=str),
        address=address,
    )
    db.session.add(event)
    return event


def _request_address() -> str | None:
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None


def search_events(*, username: str = "", unit_code: str = "", object_type: str = "", object_id: str = "",
                  action: str = "", limit: int = 200) -> list[AuditEvent]:
    """The newest entries matching every filter given."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.units.models import Unit

    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if username:
        stmt = stmt.where(AuditEvent.actor_id.in_(select(User.id).where(User.username == username.strip().lower())))
    if unit_code:
        stmt = stmt.where(AuditEvent.unit_id.in_(select(Unit.id).where(Unit.code == unit_code.strip())))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type.strip())
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id.strip())
    if action:
        stmt = stmt.where(AuditEvent.action == action.strip())
    return list(db.session.scalars(stmt))
