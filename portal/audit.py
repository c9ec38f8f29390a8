"""The audit log and the one helper that writes it.

Every change and every read of exported personal data goes through `record`.
The portal offers no way to edit or delete an entry.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow


# Vietnamese names of the actions and object types, for the audit pages: the one mapping.
# An action or object type without a name here shows its code.
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
    "enrol_totp": "Bật xác thực hai lớp",
    "reset_totp": "Đặt lại xác thực hai lớp",
    # rosters and people
    "roster.create": "Lập danh sách",
    "roster.submit": "Gửi duyệt danh sách",
    "roster.return": "Trả lại danh sách",
    "roster.approve": "Phê duyệt danh sách",
    "roster.reopen": "Mở lại danh sách",
    "roster.import": "Nhập danh sách từ tệp",
    "roster.import_preview": "Xem trước tệp nhập",
    "roster.import_cancel": "Hủy nhập tệp",
    "roster.export": "Xuất danh sách",
    "roster.doubtful_added": "Thêm dòng nghi vấn",
    "roster.rejected_download": "Tải các dòng bị loại",
    "person.add": "Thêm người vào danh sách",
    "person.update": "Sửa thông tin người dân",
    "person.remove": "Xóa người khỏi danh sách",
    "person.view": "Xem hồ sơ người dân",
    # directives and tasks
    "register_directive": "Đăng ký văn bản chỉ đạo",
    "create_task": "Giao nhiệm vụ",
    "edit_task": "Sửa nhiệm vụ",
    "accept_task": "Tiếp nhận nhiệm vụ",
    "assign_task": "Phân công chuyên viên",
    "report_task_progress": "Báo cáo tiến độ nhiệm vụ",
    "submit_task_completion": "Báo cáo hoàn thành nhiệm vụ",
    "approve_task_completion": "Duyệt báo cáo hoàn thành",
    "return_task_completion": "Trả lại báo cáo hoàn thành",
    "return_task_to_unit": "Văn phòng trả lại báo cáo hoàn thành",
    "accept_task_completion": "Nghiệm thu nhiệm vụ",
    "reopen_task": "Mở lại nhiệm vụ",
    "contribute_to_task": "Báo cáo phối hợp",
    # campaigns, sampling, vaccination, coverage
    "campaign.create": "Tạo chiến dịch",
    "campaign.add_round": "Thêm đợt",
    "campaign.set_target": "Đặt chỉ tiêu",
    "campaign.add_site": "Thêm điểm lấy mẫu/tiêm",
    "campaign.add_lab": "Thêm phòng xét nghiệm",
    "campaign.set_route": "Phân tuyến xét nghiệm",
    "sample.open_pool": "Mở ống mẫu gộp",
    "sample.close_pool": "Đóng ống mẫu gộp",
    "sample.record": "Ghi nhận lấy mẫu",
    "sample.undo": "Hủy ghi nhận lấy mẫu",
    "sample.result": "Nhập kết quả xét nghiệm",
    "dose.record": "Ghi nhận mũi tiêm",
    "coverage.view_people": "Xem danh sách người dân theo độ bao phủ",
    # official reports
    "report.preview": "Xem trước báo cáo",
    "report.request": "Yêu cầu lập báo cáo",
    "report.issue": "Ban hành báo cáo",
    "report.download": "Tải báo cáo",
}

OBJECT_LABELS = {
    "user_account": "Tài khoản",
    "role_grant": "Vai trò",
    "unit": "Đơn vị",
    "roster": "Danh sách",
    "roster_import": "Lần nhập tệp",
    "person": "Người dân",
    "directive": "Văn bản chỉ đạo",
    "task": "Nhiệm vụ",
    "campaign": "Chiến dịch",
    "campaign_round": "Đợt",
    "campaign_site": "Điểm lấy mẫu/tiêm",
    "campaign_lab": "Phòng xét nghiệm",
    "lab_route": "Tuyến xét nghiệm",
    "zone_target": "Chỉ tiêu",
    "sample": "Mẫu xét nghiệm",
    "sample_tube": "Ống mẫu",
    "vaccine_dose": "Mũi tiêm",
    "report": "Báo cáo",
    "report_job": "Yêu cầu lập báo cáo",
    "issued_report": "Báo cáo đã ban hành",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def readable_value(value: Any) -> str:
    """A value of `changes` as a person reads it: Có/Không, dd/mm/yyyy, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (list, tuple)):
        return ", ".join(readable_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable_value(v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_DATE.match(value):
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]} {value[11:16]}"
    return str(value)


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
        return action_label(self.action)

    @property
    def object_label(self) -> str:
        return object_label(self.object_type)

    @property
    def detail_dict(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")

    @property
    def readable_details(self) -> list[tuple[str, str]]:
        return [(key, readable_value(value)) for key, value in self.detail_dict.items()]


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, _context, _instances):
    """Entries are only ever added: any update or delete of one aborts the flush (and so the
    request, which then changes nothing). PostgreSQL also refuses it with a trigger (0005)."""
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit entries cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditLogIsAppendOnly("audit entries cannot be changed")


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
                  action: str = "", since: datetime | None = None, before: datetime | None = None,
                  limit: int = 200) -> list[AuditEvent]:
    """The newest entries matching every filter given (`since` <= at < `before`, naive UTC)."""
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
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if before is not None:
        stmt = stmt.where(AuditEvent.at < before)
    return list(db.session.scalars(stmt))
