from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.forms import PortalForm
from portal.auth.services import password_problem

REQUIRED = "Vui lòng nhập {}."


class LoginForm(PortalForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED.format("tên đăng nhập")), Length(max=50)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED.format("mật khẩu")), Length(max=200)])
    next = HiddenField()
    submit = SubmitField("Đăng nhập")


class LogoutForm(PortalForm):
    submit = SubmitField("Đăng xuất")


def _strong_enough(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class ChangePasswordForm(PortalForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED.format("mật khẩu hiện tại"))])
    new = PasswordField("Mật khẩu mới", validators=[DataRequired(REQUIRED.format("mật khẩu mới")), _strong_enough])
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired(REQUIRED.format("lại mật khẩu mới")), EqualTo("new", "Hai mật khẩu không khớp.")],
    )
    submit = SubmitField("Đổi mật khẩu")


class CodeForm(PortalForm):
    """The one-time code of the second factor (six digits from the authenticator app)."""
    code = StringField(
        "Mã xác thực (6 chữ số)",
        validators=[DataRequired(REQUIRED.format("mã xác thực")), Length(max=20, message="Mã xác thực có 6 chữ số.")],
    )
    submit = SubmitField("Xác nhận")
