"""Roster forms. Field rules are the validation module's single-field helpers, so the form,
the inline check and the import speak with one voice."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms.fields.choices import SelectChoice
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from portal.forms import PortalForm
from portal.rosters.models import Sex, Zone
from portal.rosters.qr import parse_cccd_qr
from portal.rosters.validation import (
    FieldError, cccd_mismatch_warnings, normalise_address, normalise_cccd, normalise_name, normalise_phone, parse_birth,
    parse_priority_group, parse_prior_doses, parse_sex, parse_zone,
)
from portal.timeutil import local_today


def _rule(parse, **kwargs):
    def check(form, field):
        if parse_cccd_qr(field.data or ""):
            return  # a scanned card: the route fills the form from it
        try:
            parse(field.data, **kwargs)
        except FieldError as exc:
            raise ValidationError(str(exc)) from None
    return check


def _birth(form, field):
    try:
        parse_birth(field.data, today=local_today())
    except FieldError as exc:
        raise ValidationError(str(exc)) from None


SEX_CHOICES = [SelectChoice("", "— Chọn —")] + [SelectChoice(s.value, s.label) for s in Sex]
ZONE_CHOICES = [SelectChoice(z.value, z.label) for z in (Zone.OTHER, Zone.HIGH_RISK, Zone.LOCKDOWN)]
PRIORITY_CHOICES = [SelectChoice("", "— Không —")] + [SelectChoice(str(n), f"Nhóm {n}") for n in range(1, 17)]
DOSES_CHOICES = [SelectChoice(str(n), str(n)) for n in range(0, 6)]


def _sex(form, field):
    if field.data not in {s.value for s in Sex}:
        raise ValidationError("Vui lòng chọn giới tính (Nam hoặc Nữ).")


class PersonForm(PortalForm):
    full_name = StringField("Họ và tên", validators=[_rule(normalise_name)],
                            render_kw={"autocomplete": "off", "maxlength": 400})
    birth = StringField("Ngày sinh hoặc năm sinh", validators=[_birth],
                        render_kw={"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric"})
    sex = SelectField("Giới tính", choices=SEX_CHOICES, validators=[_sex], validate_choice=False)
    cccd = StringField("Số CCCD/CMND", validators=[_rule(normalise_cccd)],
                       render_kw={"autocomplete": "off", "inputmode": "numeric", "maxlength": 400})
    phone = StringField("Số điện thoại", validators=[_rule(normalise_phone)],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})
    address = StringField("Địa chỉ", validators=[_rule(normalise_address)], render_kw={"autocomplete": "off"})
    # Choices are checked by the validation module (the same words an import accepts).
    zone = SelectField("Khu vực", choices=ZONE_CHOICES, default=Zone.OTHER.value, validate_choice=False,
                       validators=[_rule(parse_zone)])
    priority_group = SelectField("Nhóm ưu tiên", choices=PRIORITY_CHOICES, validators=[_rule(parse_priority_group)],
                                 validate_choice=False)
    prior_doses = SelectField("Số mũi đã tiêm", choices=DOSES_CHOICES, validators=[_rule(parse_prior_doses)],
                              validate_choice=False)
    submit = SubmitField("Lưu")

    VALIDATABLE = ("full_name", "birth", "sex", "cccd", "phone", "address")
    HELP = {"birth": "dd/mm/yyyy hoặc năm sinh", "cccd": "Có thể quét mã QR trên thẻ CCCD",
            "phone": "10 số, bắt đầu bằng 0"}
    # A change of these fields may make the CCCD disagree (or agree again): the CCCD is checked anew.
    CHECKS_CCCD = ("birth", "sex")

    def help_for(self, name: str) -> str | None:
        """The help under a field; hidden while the field shows an error."""
        return None if self[name].errors else self.HELP.get(name)

    def cccd_warning(self) -> str | None:
        """The CCCD disagrees with the sex or birth year typed (a warning, saving is allowed)."""
        try:
            cccd = normalise_cccd(self.cccd.data)
            sex = parse_sex(self.sex.data) if self.sex.data else None
            year = parse_birth(self.birth.data, today=local_today())[1] if self.birth.data else None
        except FieldError:
            return None
        return " ".join(message for _, message in cccd_mismatch_warnings(cccd, sex, year)) or None

    def data_dict(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("full_name", "birth", "sex", "cccd", "phone", "address", "zone", "priority_group", "prior_doses")}

    def scanned_card(self):
        for name in ("cccd", "full_name"):
            card = parse_cccd_qr(getattr(self, name).data or "")
            if card:
                return card
        return None

    def attach_row_messages(self, messages, attach: bool = True) -> list[str]:
        """An import row's messages [field, message, level]: errors about a field go under that field
        (when `attach`); the others are returned, to be shown above the form."""
        errors = [(f, m) for f, m, level in messages if level == "error" and self._field_name(f) in self.VALIDATABLE]
        if attach:
            self.add_errors(errors)
        return [m for f, m, level in messages if (f, m) not in errors]

    @staticmethod
    def _field_name(name: str) -> str:
        return "birth" if name in ("birth_date", "birth_year") else name

    def add_errors(self, errors) -> None:
        for field_name, message in errors:
            name = self._field_name(field_name)
            target = getattr(self, name, None) if name in self._fields else None
            if target is None:
                self.form_errors.append(message)
            elif message not in target.errors:
                target.errors = list(target.errors) + [message]


class ConfirmForm(PortalForm):
    """A bare POST with CSRF: submit, approve, remove, dismiss, cancel, commit."""
    confirmed = HiddenField(default="1")


class ReasonForm(PortalForm):
    reason = TextAreaField("Lý do", render_kw={"rows": 3, "maxlength": 1000})
    submit = SubmitField("Gửi")


class ImportForm(PortalForm):
    file = FileField("Tệp danh sách (.xlsx hoặc .csv)", validators=[
        FileRequired("Vui lòng chọn tệp."),
        FileAllowed(["xlsx", "csv"], "Chỉ nhận tệp .xlsx hoặc .csv."),
    ])
    submit = SubmitField("Tải lên và kiểm tra")


class OpenRosterForm(PortalForm):
    commune_id = HiddenField()
    campaign_id = HiddenField()
    kind = HiddenField()
