"""The one tree of units: administrative levels, departments and health facilities."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class UnitKind(str, enum.Enum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    DEPARTMENT = "department"
    HEALTH_FACILITY = "health_facility"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]

    @property
    def is_administrative(self) -> bool:
        return self in (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)


UNIT_KIND_LABELS = {
    UnitKind.PROVINCE: "Tỉnh / thành phố",
    UnitKind.DISTRICT: "Quận / huyện",
    UnitKind.COMMUNE: "Xã / phường / thị trấn",
    UnitKind.DEPARTMENT: "Sở / ban / ngành",
    UnitKind.HEALTH_FACILITY: "Cơ sở y tế",
}


class Unit(db.Model):
    """A node of the tree. `path` holds the ids from the root ("/1/5/23/") so that
    "this unit and everything below it" is one indexed prefix match."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(
        db.Enum(UnitKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="")
    name_folded: Mapped[str] = mapped_column(String(200), default="")
    # The health department (Sở Y tế): for health data it reaches its whole province or district.
    health_authority: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    __table_args__ = (Index("ix_unit_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"

    def is_within(self, other: Unit) -> bool:
        """True when self is other or lies below it."""
        return self.path.startswith(other.path)

    def territory(self) -> Unit:
        """The administrative unit whose area this unit serves (itself for a province/district/commune)."""
        node = self
        while not node.kind.is_administrative and node.parent is not None:
            node = node.parent
        return node

    def ancestors(self) -> list[Unit]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))
