from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from portal.audit import OBJECT_LABELS
from portal.auth.models import ROLE_LABELS, Role
from portal.auth.services import password_problem
from portal.forms import PortalForm
from portal.units.models import UNIT_KIND_LABELS
from portal.units.services import by_code

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]
KIND_CHOICES = [SelectChoice(k.value, label) for k, label in UNIT_KIND_LABELS.items()]


def _password_rule(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _existing_unit(form, field):
    field.unit = by_code((field.data or "").strip())
    if field.unit is None:
        raise ValidationError("Không có đơn vị với mã này.")


class UserCreateForm(PortalForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[
            DataRequired("Vui lòng nhập tên đăng nhập."),
            Length(min=3, max=50, message="Tên đăng nhập dài từ 3 đến 50 ký tự."),
            Regexp(r"^[A-Za-z0-9._-]+$", message="Chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."),
        ],
    )
    full_name = StringField("Họ và tên", validators=[DataRequired("Vui lòng nhập họ và tên."), Length(max=120)])
    password = PasswordField("Mật khẩu ban đầu", validators=[DataRequired("Vui lòng nhập mật khẩu."), _password_rule])
    role = SelectField("Vai trò", choices=ROLE_CHOICES)
    unit_code = StringField("Mã đơn vị", validators=[DataRequired("Vui lòng nhập mã đơn vị."), _existing_unit])
    submit = SubmitField("Tạo tài khoản")


class ProfileForm(PortalForm):
    full_name = StringField("Họ và tên", validators=[DataRequired("Vui lòng nhập họ và tên."), Length(max=120)])
    submit = SubmitField("Lưu")


class GrantForm(PortalForm):
    role = SelectField("Vai trò", choices=ROLE_CHOICES)
    unit_code = StringField("Mã đơn vị", validators=[DataRequired("Vui lòng nhập mã đơn vị."), _existing_unit])
    submit = SubmitField("Thêm vai trò")


class RemoveGrantForm(PortalForm):
    grant_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Gỡ")


class ResetPasswordForm(PortalForm):
    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Vui lòng nhập mật khẩu mới."), _password_rule])
    submit = SubmitField("Đặt lại mật khẩu")


class ActiveForm(PortalForm):
    submit = SubmitField("Đổi trạng thái")


class UnitForm(PortalForm):
    code = StringField("Mã đơn vị", validators=[
        DataRequired("Vui lòng nhập mã đơn vị."), Length(max=20, message="Mã đơn vị tối đa 20 ký tự."),
        Regexp(r"^[A-Za-z0-9._-]+$", message="Mã chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.")])
    name = StringField("Tên đơn vị", validators=[DataRequired("Vui lòng nhập tên đơn vị."), Length(max=200)])
    kind = SelectField("Loại đơn vị", choices=KIND_CHOICES)
    parent_code = StringField("Mã đơn vị cấp trên", validators=[Length(max=20)])
    health_authority = BooleanField("Cơ quan y tế (xem số liệu y tế của cả địa bàn)")
    submit = SubmitField("Lưu đơn vị")


def _vn_date(form, field):
    from portal.timeutil import parse_date

    field.date = None
    if field.data:
        field.date = parse_date(field.data)
        if field.date is None:
            raise ValidationError("Ngày phải có dạng ngày/tháng/năm, ví dụ 05/09/2021.")


class AuditFilterForm(PortalForm):
    """Filters of the audit page (GET: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    user = StringField("Người dùng", validators=[Length(max=50, message="Tối đa 50 ký tự.")])
    unit = StringField("Mã đơn vị", validators=[Length(max=20, message="Tối đa 20 ký tự.")])
    object = SelectField("Loại đối tượng", default="", choices=[SelectChoice("", "Tất cả")] + [
        SelectChoice(code, label) for code, label in sorted(OBJECT_LABELS.items(), key=lambda item: item[1])])
    object_id = StringField("Mã đối tượng", validators=[Length(max=40, message="Tối đa 40 ký tự.")])
    action = StringField("Thao tác", validators=[Length(max=60, message="Tối đa 60 ký tự.")])
    date_from = StringField("Từ ngày", validators=[_vn_date])
    date_to = StringField("Đến ngày", validators=[_vn_date])

    def validate_date_to(self, field):
        if self.date_from.date and field.date and field.date < self.date_from.date:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")
