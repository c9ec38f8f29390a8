"""Forms for directives and each task step. Dates are typed the Vietnamese way: dd/mm/yyyy."""
from __future__ import annotations

from flask_wtf.file import FileField, MultipleFileField
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.directives.models import DOC_TYPE_LABELS
from portal.directives.status import Rhythm
from portal.forms import PortalForm, VnDateField
from portal.text import strip_controls


class CleanTextForm(PortalForm):
    """Every text field drops control characters (a NUL would make PostgreSQL refuse the row)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = [strip_controls, *unbound_field.kwargs.get("filters", ())]
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vui lòng nhập một số nguyên.") from None


class VersionForm(CleanTextForm):
    """Every step on a task carries the version the user saw (optimistic locking)."""

    version = HiddenField(validators=[DataRequired()])

    def validate_version(self, field):
        if not str(field.data or "").isdigit():
            raise ValidationError("Phiên bản không hợp lệ.")


class DirectiveForm(CleanTextForm):
    number_symbol = StringField("Số, ký hiệu", validators=[DataRequired("Vui lòng nhập số, ký hiệu."), Length(max=60)])
    doc_type = SelectField("Loại văn bản", choices=[SelectChoice(k.value, v) for k, v in DOC_TYPE_LABELS.items()])
    issuer = StringField("Cơ quan ban hành", validators=[DataRequired("Vui lòng nhập cơ quan ban hành."),
                                                         Length(max=200)])
    issued_on = VnDateField("Ngày ban hành", validators=[DataRequired("Vui lòng nhập ngày ban hành.")])
    signer = StringField("Người ký", validators=[Optional(), Length(max=120)])
    excerpt = TextAreaField("Trích yếu", validators=[DataRequired("Vui lòng nhập trích yếu."), Length(max=1000)])
    body = TextAreaField("Nội dung", validators=[Optional(), Length(max=100_000)])
    file = FileField("Tệp văn bản (PDF)")
    submit = SubmitField("Đăng ký văn bản")


RHYTHM_CHOICES = [SelectChoice("", "Không — có hạn hoàn thành")] + [SelectChoice(r.value, r.label) for r in Rhythm]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TaskForm(CleanTextForm):
    content = TextAreaField("Nội dung nhiệm vụ", validators=[DataRequired("Vui lòng nhập nội dung nhiệm vụ."),
                                                            Length(max=5000)])
    lead_unit = SelectField("Đơn vị chủ trì", coerce=int, validate_choice=True)
    coordinators = MultiCheckboxField("Đơn vị phối hợp", coerce=int)
    deadline = VnDateField("Hạn hoàn thành (hoặc ngày kết thúc báo cáo)")
    rhythm = SelectField("Chế độ báo cáo", choices=RHYTHM_CHOICES)
    target = StringField("Chỉ tiêu (nếu có)", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Giao nhiệm vụ")

    def set_units(self, units):
        choices = [SelectChoice(u.id, u.name) for u in units]
        self.lead_unit.choices = [SelectChoice(0, "— Chọn đơn vị —")] + choices
        self.coordinators.choices = choices

    def validate_lead_unit(self, field):
        if not field.data:
            raise ValidationError("Vui lòng chọn đơn vị chủ trì.")


class EditTaskForm(VersionForm):
    content = TextAreaField("Nội dung nhiệm vụ", validators=[DataRequired("Vui lòng nhập nội dung nhiệm vụ."),
                                                            Length(max=5000)])
    deadline = VnDateField("Hạn hoàn thành (hoặc ngày kết thúc báo cáo)")
    target = StringField("Chỉ tiêu (nếu có)", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Lưu nhiệm vụ")


class StepForm(VersionForm):
    """A step without input: accept, approve, office accept."""

    note = StringField("Ghi chú", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Xác nhận")


class ReasonForm(VersionForm):
    reason = TextAreaField("Lý do", validators=[DataRequired("Vui lòng nêu lý do."), Length(max=1000)])
    submit = SubmitField("Trả lại")


class AssignForm(VersionForm):
    assignee = SelectField("Chuyên viên", coerce=int)
    submit = SubmitField("Giao cho chuyên viên")


class ReportForm(VersionForm):
    text = TextAreaField("Nội dung báo cáo", validators=[DataRequired("Vui lòng nhập nội dung báo cáo."),
                                                        Length(max=10_000)])
    percent = VnIntegerField("Tỷ lệ hoàn thành (%)", validators=[
        Optional(), NumberRange(0, 100, "Tỷ lệ hoàn thành là số nguyên từ 0 đến 100.")])
    files = MultipleFileField("Tệp đính kèm (PDF, Word, Excel, ảnh; tối đa 5 MB mỗi tệp)")
    submit = SubmitField("Gửi báo cáo tiến độ")


class CompletionForm(VersionForm):
    summary = TextAreaField("Báo cáo kết quả hoàn thành", validators=[
        DataRequired("Vui lòng nhập nội dung báo cáo hoàn thành."), Length(max=10_000)])
    summary_files = MultipleFileField("Tệp đính kèm báo cáo hoàn thành")
    submit = SubmitField("Gửi báo cáo hoàn thành")


class ContributionForm(CleanTextForm):
    contribution = TextAreaField("Báo cáo của đơn vị phối hợp", validators=[
        DataRequired("Vui lòng nhập nội dung báo cáo."), Length(max=10_000)])
    contribution_files = MultipleFileField("Tệp đính kèm báo cáo phối hợp")
    submit = SubmitField("Gửi báo cáo phối hợp")
