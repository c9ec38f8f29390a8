from wtforms.fields.choices import SelectChoice
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.campaigns.forms import DATE_INPUT, ZONE_CHOICES
from portal.forms import PortalForm, VnDateField


class PointForm(PortalForm):
    """The one line at the point: a CCCD, a QR scan, a few letters of a name, `+CODE`, `-`."""
    q = StringField("CCCD, mã QR hoặc tên", validators=[Length(max=400)])
    person_id = HiddenField()
    pool_code = StringField("Mã ống gộp", validators=[Length(max=40)])


class NewPersonForm(PortalForm):
    """A person not on the roster, added on the spot; the roster rules check it."""
    full_name = StringField("Họ và tên", validators=[DataRequired("Vui lòng nhập họ và tên."), Length(max=100)])
    birth = StringField("Ngày sinh hoặc năm sinh", validators=[DataRequired("Vui lòng nhập ngày hoặc năm sinh."), Length(max=20)])
    sex = SelectField("Giới tính", choices=[SelectChoice("Nam", "Nam"), SelectChoice("Nữ", "Nữ")])
    cccd = StringField("Số CCCD/CMND", validators=[Length(max=20)])
    phone = StringField("Điện thoại", validators=[Length(max=20)])
    address = StringField("Địa chỉ", validators=[Length(max=300)])
    zone = SelectField("Khu vực", choices=ZONE_CHOICES, default="other")


class DoseForm(PortalForm):
    q = StringField("CCCD, mã QR hoặc tên", validators=[Length(max=400)])
    person_id = HiddenField()
    vaccine = StringField("Vắc xin", validators=[Length(max=60)])
    lot = StringField("Số lô", validators=[Length(max=40)])
    dose_number = IntegerField("Mũi số", validators=[Optional(), NumberRange(1, 10, "Mũi số từ 1 đến 10.")])
    given_on = VnDateField("Ngày tiêm", validators=[Optional()], render_kw=DATE_INPUT)


class ResultsForm(PortalForm):
    line = StringField("Mã ống và kết quả", validators=[Length(max=200)])
    text = TextAreaField("Dán danh sách (mỗi dòng: mã ống, kết quả)", validators=[Length(max=400_000)])
    file = FileField("Hoặc tải tệp CSV hai cột: mã ống, kết quả (âm tính/dương tính)")
