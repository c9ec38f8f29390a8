"""Command-line commands. They call the same services as the web."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from portal import audit
from portal.extensions import db

units_cli = AppGroup("units", help="Cây đơn vị hành chính.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")


@units_cli.command("import")
@click.option("--province", required=True, help="Mã tỉnh/thành phố, ví dụ 01 (Hà Nội).")
def units_import(province: str) -> None:
    """Load a province and its communes from the vietnam-provinces package (2025 units)."""
    from portal.units import services

    try:
        report = services.import_from_package(province)
    except services.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    audit.record(None, "import_units", object_type="unit", changes={
        "source": f"vietnam-provinces {province}", "created": report.created, "updated": report.updated})
    db.session.commit()
    click.echo(f"created={report.created} updated={report.updated}")


@units_cli.command("import-csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def units_import_csv(path: Path) -> None:
    """Load a tree from CSV: code, name, kind, parent_code. All or nothing."""
    from portal.units import services

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException("Tệp phải được mã hóa UTF-8.") from exc
    try:
        report = services.import_csv(text)
    except services.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if report.errors:
        db.session.rollback()
        for line in report.errors:
            click.echo(line, err=True)
        click.echo(f"created=0 updated=0 errors={len(report.errors)}")
        sys.exit(1)
    audit.record(None, "import_units", object_type="unit", changes={
        "source": path.name, "created": report.created, "updated": report.updated})
    db.session.commit()
    click.echo(f"created={report.created} updated={report.updated} errors=0")


@demo_cli.command("load")
def demo_load() -> None:
    """Build the demo Hà Nội of 2021 with its accounts (refused in production)."""
    from flask import current_app

    from portal.demo import loader

    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Không được nạp dữ liệu mẫu khi PORTAL_ENV=production.")
    if loader.already_loaded():
        click.echo("Dữ liệu mẫu đã có; giữ nguyên.")
        click.echo(loader.accounts_text())
        return
    loader.load()
    db.session.commit()
    click.echo(loader.accounts_text())


def init_app(app: Flask) -> None:
    app.cli.add_command(units_cli)
    app.cli.add_command(demo_cli)
