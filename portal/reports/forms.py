"""Report forms: the same class validates the preview (GET) and the PDF request (POST)."""
from __future__ import annotations

from datetime import date, datetime

from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.forms import PortalForm
from portal.text import clean


class ChoiceField(SelectField):
    """A select whose errors speak Vietnamese (a value outside the list: another unit's id, say)."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0]) if valuelist[0] != "" else None
            except (ValueError, TypeError):
                self.data = None

    def pre_validate(self, form):
        if self.data is None:  # InputRequired / Optional speak for an empty choice
            if self.raw_data and self.raw_data[0] not in ("", None):
                raise ValidationError("Lựa chọn không hợp lệ hoặc ngoài phạm vi của bạn.")
            return
        if self.data == 0 and any(isinstance(v, Optional) for v in self.validators):
            return
        if not any(value == self.data for value, *_ in (self.choices or [])):
            raise ValidationError("Lựa chọn không hợp lệ hoặc ngoài phạm vi của bạn.")


def parse_vn_date(text: str | None) -> date | None:
    text = clean(text)
    if not text:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def _vn_date(form, field):
    if clean(field.data) and parse_vn_date(field.data) is None:
        raise ValidationError("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 05/09/2021.")


class DocumentForm(PortalForm):
    """The header and closing of every report: date, signer, recipients."""

    signed_on = StringField("Ngày ký (dd/mm/yyyy)", validators=[DataRequired("Vui lòng nhập ngày ký."), _vn_date])
    signer_authority = StringField("Thẩm quyền ký (ví dụ KT. GIÁM ĐỐC)", validators=[Optional(), Length(max=60)])
    signer_position = StringField("Chức vụ người ký", validators=[DataRequired("Vui lòng nhập chức vụ người ký."), Length(max=60)])
    signer_name = StringField("Họ và tên người ký", validators=[Optional(), Length(max=100)])
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Optional(), Length(max=2000)])
    drafting_unit = StringField("Đơn vị soạn thảo (viết tắt, sau “Lưu: VT,”)", validators=[DataRequired("Vui lòng nhập đơn vị soạn thảo."), Length(max=20)])
    draft = SubmitField("Tải PDF bản nháp")
    issue = SubmitField("Cấp số và phát hành")
    # Issuing uses up a register number for good: the secretary ticks this first (checked on the server).
    confirm_issue = BooleanField("Tôi xác nhận cấp số cho báo cáo này")

    def document_params(self) -> dict:
        lines = [clean(line).rstrip(";.") for line in (self.recipients.data or "").splitlines()]
        return {
            "signed_on": parse_vn_date(self.signed_on.data).isoformat(),
            "signer_authority": clean(self.signer_authority.data).upper(),
            "signer_position": clean(self.signer_position.data).upper(),
            "signer_name": clean(self.signer_name.data),
            "recipients": [line for line in lines if line],
            "drafting_unit": clean(self.drafting_unit.data),
        }


class PeriodMixin:
    date_from = StringField("Từ ngày (dd/mm/yyyy)", validators=[Optional(), _vn_date])
    date_to = StringField("Đến ngày (dd/mm/yyyy)", validators=[Optional(), _vn_date])

    def validate_date_to(self, field):
        start, end = parse_vn_date(self.date_from.data), parse_vn_date(field.data)
        if start and end and end < start:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")

    def period_params(self) -> dict:
        start, end = parse_vn_date(self.date_from.data), parse_vn_date(self.date_to.data)
        return {"date_from": start.isoformat() if start else None, "date_to": end.isoformat() if end else None}


class CoverageReportForm(PeriodMixin, DocumentForm):
    """Testing and vaccination reports: a unit (commune, district or city), a campaign, a period."""

    unit_id = ChoiceField("Đơn vị báo cáo", coerce=int, validators=[InputRequired("Vui lòng chọn đơn vị.")])
    campaign_id = ChoiceField("Chiến dịch", coerce=int, validators=[InputRequired("Vui lòng chọn chiến dịch.")])

    def params(self) -> dict:
        return {"subject_unit_id": self.unit_id.data, "campaign_id": self.campaign_id.data,
                **self.period_params(), **self.document_params()}


class TaskReportForm(PeriodMixin, DocumentForm):
    unit_id = ChoiceField("Đơn vị", coerce=int, validators=[InputRequired("Vui lòng chọn đơn vị.")])
    directive_id = ChoiceField("Văn bản chỉ đạo (để trống: mọi văn bản)", coerce=int, validators=[Optional()])

    def params(self) -> dict:
        return {"subject_unit_id": self.unit_id.data, "directive_id": self.directive_id.data or None,
                **self.period_params(), **self.document_params()}


class RosterReportForm(DocumentForm):
    roster_id = ChoiceField("Danh sách", coerce=int, validators=[InputRequired("Vui lòng chọn danh sách.")])
    site_id = ChoiceField("Điểm lấy mẫu / điểm tiêm", coerce=int, validators=[Optional()])

    def params(self) -> dict:
        roster = self.roster_id.roster
        return {"subject_unit_id": roster.unit_id, "roster_id": roster.id,
                "site_id": self.site_id.data or None, **self.document_params()}
