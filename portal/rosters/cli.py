"""`flask --app wsgi roster import FILE --commune CODE --campaign NAME --kind testing|vaccination [--dry-run]`"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from portal.extensions import db
from portal.rosters import bp
from portal.rosters.validation import FIELD_LABELS


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commune", "commune_code", required=True, help="Mã xã/phường, ví dụ 00001.")
@click.option("--campaign", "campaign_name", required=True, help="Tên chiến dịch.")
@click.option("--kind", type=click.Choice(["testing", "vaccination"]), required=True)
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi gì.")
def import_command(path: Path, commune_code: str, campaign_name: str, kind: str, dry_run: bool) -> None:
    """Import a roster file: valid rows are added (unless --dry-run), rejected ones never.
    Prints each rejected row, then `accepted=N rejected=M warnings=W`; exit 1 if any row was rejected."""
    from portal.campaigns.models import Campaign
    from portal.rosters import services
    from portal.rosters.models import RosterKind
    from portal.units.services import by_code

    commune = by_code(commune_code.strip())
    campaign = db.session.scalars(select(Campaign).where(Campaign.name == campaign_name.strip())).first()
    if commune is None:
        raise click.ClickException(f"Không có đơn vị mã {commune_code}.")
    if campaign is None:
        raise click.ClickException(f"Không có chiến dịch “{campaign_name}”.")
    try:
        roster = services.get_or_create_roster(None, commune, campaign, RosterKind(kind))
        analysis = services.import_file(None, roster, path.name, path.read_bytes(), dry_run=dry_run)
    except (services.RosterError, services.ImportFileError) as exc:
        db.session.rollback()
        click.echo(f"lỗi: {exc}", err=True)
        click.echo("accepted=0 rejected=0 warnings=0")
        sys.exit(1)
    for row in analysis.rejected:
        reasons = "; ".join(f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in row.errors)
        click.echo(f"dòng {row.row_number}: {reasons}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"accepted={len(analysis.accepted)} rejected={len(analysis.rejected)} warnings={analysis.warned}")
    sys.exit(1 if analysis.rejected else 0)
