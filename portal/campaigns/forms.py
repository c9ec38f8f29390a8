from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from portal.campaigns.models import CampaignKind, SiteKind
from portal.forms import PortalForm, VnDateField
from portal.units.services import by_code

ZONE_CHOICES = [SelectChoice("lockdown", "Phong tỏa"), SelectChoice("high_risk", "Nguy cơ cao"), SelectChoice("other", "Khác")]


def _unit_code(form, field):
    field.unit = by_code((field.data or "").strip())
    if field.unit is None:
        raise ValidationError("Không có đơn vị với mã này.")


DATE_INPUT = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "size": 10}


def _date(label):
    # Typed dd/mm/yyyy like every date of the portal: a browser's date picker shows mm/dd/yyyy
    # wherever its language is English, and 01/09 vs 09/01 is exactly the mistake to avoid.
    return VnDateField(label, validators=[InputRequired("Vui lòng nhập ngày.")], render_kw=DATE_INPUT)


class CampaignForm(PortalForm):
    name = StringField("Tên chiến dịch", validators=[DataRequired("Vui lòng nhập tên chiến dịch."), Length(max=200)])
    kind = SelectField("Loại", choices=[SelectChoice(k.value, k.label) for k in CampaignKind])
    unit_code = StringField("Mã tỉnh/thành phố", default="01", validators=[DataRequired("Vui lòng nhập mã đơn vị."), _unit_code])
    starts_on = _date("Từ ngày")
    ends_on = _date("Đến ngày")


class RoundForm(PortalForm):
    starts_on = _date("Đợt bắt đầu")
    ends_on = _date("Đợt kết thúc")


class TargetForm(PortalForm):
    zone = SelectField("Khu vực", choices=ZONE_CHOICES)
    rounds_required = IntegerField("Số đợt phải lấy mẫu", default=3, validators=[
        InputRequired("Vui lòng nhập số đợt."), NumberRange(1, 20, "Số đợt phải từ 1 đến 20.")])
    deadline = _date("Hạn hoàn thành")


class SiteForm(PortalForm):
    kind = SelectField("Loại điểm", choices=[SelectChoice(k.value, k.label) for k in SiteKind])
    name = StringField("Tên điểm", validators=[DataRequired("Vui lòng nhập tên điểm."), Length(max=200)])
    commune_code = StringField("Mã xã/phường", validators=[DataRequired("Vui lòng nhập mã xã/phường."), _unit_code])
    address = StringField("Địa chỉ", validators=[Length(max=300)])


class LabForm(PortalForm):
    lab_code = StringField("Mã cơ sở xét nghiệm", validators=[DataRequired("Vui lòng nhập mã cơ sở."), _unit_code])
    is_default = BooleanField("Phòng xét nghiệm mặc định")


class RouteForm(PortalForm):
    area_code = StringField("Mã quận/huyện hoặc xã/phường", validators=[DataRequired("Vui lòng nhập mã khu vực."), _unit_code])
    lab_code = StringField("Mã phòng xét nghiệm nhận mẫu", validators=[DataRequired("Vui lòng nhập mã cơ sở."), _unit_code])
