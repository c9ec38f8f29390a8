"""`flask --app wsgi coverage --campaign NAME [--unit CODE]`: the dashboard's figures as a table."""
from __future__ import annotations

import click
from sqlalchemy import select

from portal.campaigns.services import by_name
from portal.coverage import services
from portal.extensions import db
from portal.timeutil import local_today
from portal.units.models import Unit, UnitKind
from portal.units.services import by_code

ZONE_LABELS = {"lockdown": "phong tỏa", "high_risk": "nguy cơ cao", "other": "khác"}


def table(data) -> list[str]:
    rounds = data.round_numbers
    head = ["Đơn vị", "Người"] + [f"Đợt {r}" for r in rounds] + ["Đạt", "%", "Chờ KQ", "Dương tính", "Cần XN lại",
                                                                 "≥1 mũi", "≥2 mũi", "Chậm"]
    rows = []
    lines = [(row.unit.name, row.figures, row.behind) for row in data.rows if row.unit.id != data.unit.id]
    if not lines:  # a commune: its zones
        lines = [(f"Khu vực {ZONE_LABELS[z]}", data.by_zone[z], False) for z in ZONE_LABELS]
    for name, f, behind in lines + [(f"Tổng {data.unit.name}", data.total, any(r.behind for r in data.rows))]:
        rows.append([name, f.people] + [f.rounds.get(r, 0) for r in rounds] +
                    [f.met, f"{f.met_pct:.1f}", f.pending, f.positive, f.retest, f.dose1, f.dose2,
                     "x" if behind else ""])
    widths = [max(len(str(x[i])) for x in [head] + rows) for i in range(len(head))]
    fmt = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                  for i, (c, w) in enumerate(zip(cells, widths)))
    return [fmt(head).rstrip(), fmt(["-" * w for w in widths])] + [fmt(r).rstrip() for r in rows]


@click.command("coverage")
@click.option("--campaign", "campaign_name", required=True, help="Tên chiến dịch.")
@click.option("--unit", "unit_code", default=None, help="Mã đơn vị (mặc định: đơn vị của chiến dịch).")
@click.option("--rebuild", is_flag=True, help="Tính lại toàn bộ số liệu từ các mẫu và mũi tiêm trước khi in.")
def coverage_command(campaign_name: str, unit_code: str | None, rebuild: bool) -> None:
    """Print coverage per unit: the same figures as the dashboard."""
    campaign = by_name(campaign_name)
    if campaign is None:
        raise click.ClickException(f"Không có chiến dịch “{campaign_name}”.")
    if rebuild:
        services.rebuild_campaign(campaign.id)
        db.session.commit()
    unit = by_code(unit_code) if unit_code else campaign.unit
    if unit is None or unit.kind not in (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE):
        raise click.ClickException("Không có đơn vị hành chính với mã này.")
    data = services.dashboard(campaign, unit, select(Unit.id), local_today())
    for line in table(data):
        click.echo(line)
