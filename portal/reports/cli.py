"""`flask report testing|vaccination|tasks|roster ... --out FILE.pdf [--issue]`: the same PDFs as the
web, for scheduled reports. A draft unless --issue is given."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


def _date(value: str | None, label: str):
    from portal.reports.forms import parse_vn_date

    if not value:
        return None
    parsed = parse_vn_date(value)
    if parsed is None:
        _fail(f"{label} không hợp lệ: {value!r}; nhập theo dạng dd/mm/yyyy.")
    return parsed


@click.group("report", help="Báo cáo chính thức (PDF).", invoke_without_command=False)
def report_cli() -> None:
    pass


def _common(func):
    options = [
        click.option("--unit", "unit_code", help="Mã đơn vị báo cáo (xã, quận, thành phố...)."),
        click.option("--issuer", "issuer_code", help="Mã đơn vị phát hành (sổ đăng ký số); mặc định: Sở Y tế với báo cáo y tế."),
        click.option("--campaign", "campaign_name", help="Tên chiến dịch; mặc định: chiến dịch mới nhất."),
        click.option("--directive", "directive_number", help="Số, ký hiệu văn bản chỉ đạo (báo cáo nhiệm vụ)."),
        click.option("--roster-kind", type=click.Choice(["testing", "vaccination"]), default="testing", show_default=True),
        click.option("--site", "site_name", help="Tên điểm lấy mẫu / điểm tiêm (danh sách in)."),
        click.option("--from", "date_from", help="Từ ngày dd/mm/yyyy."),
        click.option("--to", "date_to", help="Đến ngày dd/mm/yyyy."),
        click.option("--signed-on", help="Ngày ký dd/mm/yyyy; mặc định hôm nay."),
        click.option("--signer", "signer_name", default="", help="Họ và tên người ký."),
        click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--issue", is_flag=True, help="Cấp số từ sổ đăng ký và lưu bản phát hành."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_report(kind_value: str, unit_code, issuer_code, campaign_name, directive_number, roster_kind, site_name,
               date_from, date_to, signed_on, signer_name, out: Path, issue: bool) -> None:
    from portal.reports import services, sources
    from portal.reports.models import ReportKind
    from portal.timeutil import local_today
    from portal.units.services import by_code

    kind = ReportKind(kind_value)
    start, end = _date(date_from, "Từ ngày"), _date(date_to, "Đến ngày")
    if start and end and end < start:
        _fail("Ngày kết thúc phải sau ngày bắt đầu.")
    signed = _date(signed_on, "Ngày ký") or local_today()
    subject = by_code(unit_code) if unit_code else None
    if unit_code and subject is None:
        _fail(f"Không có đơn vị mã {unit_code}.")
    try:
        params = sources.cli_params(kind, subject, campaign_name, directive_number, roster_kind, site_name)
    except services.ReportError as exc:
        _fail(str(exc))
    issuer = by_code(issuer_code) if issuer_code else sources.default_issuer(kind, services.subject_unit_of(kind, params))
    if issuer is None:
        _fail(f"Không có đơn vị mã {issuer_code}.")
    params.update({
        "date_from": start.isoformat() if start else None,
        "date_to": end.isoformat() if end else None,
        **{k: v for k, v in services.default_document_fields(issuer).items()},
        "signer_name": signer_name,
        "signed_on": signed.isoformat(),
    })
    try:
        job = services.produce_now(None, kind, params, issue=issue, issuer=issuer)
    except services.ReportError as exc:
        _fail(str(exc))
    out.write_bytes(job.pdf)
    db.session.commit()
    number = job.issued_report.number_text if job.issued_report else "bản nháp"
    click.echo(f"{out}: {job.page_count} trang, {number}")


for _kind in ("testing", "vaccination", "tasks", "roster"):
    def _make(kind_value):
        @report_cli.command(kind_value)
        @_common
        @with_appcontext
        def command(**options):
            run_report(kind_value, **options)
        command.__doc__ = {
            "testing": "Báo cáo tình hình lấy mẫu xét nghiệm.",
            "vaccination": "Báo cáo tình hình tiêm chủng.",
            "tasks": "Báo cáo tình hình thực hiện nhiệm vụ.",
            "roster": "Danh sách in cho điểm lấy mẫu / điểm tiêm.",
        }[kind_value]
        return command
    _make(_kind)


@report_cli.command("work")
@with_appcontext
def work() -> None:
    """Chạy các yêu cầu tạo báo cáo đang chờ (worker)."""
    from portal.reports.jobs import run_queued

    click.echo(f"{run_queued()} báo cáo đã xử lý.")


__all__ = ["report_cli", "select"]
