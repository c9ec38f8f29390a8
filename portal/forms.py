"""Form fields shared by every domain."""
from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import StringField


class VnDateField(StringField):
    """A date typed dd/mm/yyyy (also accepts the ISO form a date picker sends)."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                self.data = datetime.strptime(self.raw, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError("Ngày phải có dạng dd/mm/yyyy, ví dụ 05/09/2021.")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""


# WTForms ships no Vietnamese catalogue (wtforms/locale has no "vi"), so the default messages of its
# fields and validators are translated here, once, for every form of the portal (PortalForm.Meta).
_MESSAGES = {
    "Invalid field name '%s'.": "Tên trường không hợp lệ: '%s'.",
    "Field must be equal to %(other_name)s.": "Giá trị phải trùng với trường %(other_name)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Phải có đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Phải có đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Phải có từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Số phải lớn hơn hoặc bằng %(min)s.",
    "Number must be at most %(max)s.": "Số phải nhỏ hơn hoặc bằng %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải nằm trong khoảng từ %(min)s đến %(max)s.",
    "Date must be at least %(min)s.": "Ngày không được trước %(min)s.",
    "Date must be at most %(max)s.": "Ngày không được sau %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Ngày phải nằm trong khoảng từ %(min)s đến %(max)s.",
    "This field is required.": "Vui lòng nhập trường này.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Invalid IP address.": "Địa chỉ IP không hợp lệ.",
    "Invalid Mac address.": "Địa chỉ MAC không hợp lệ.",
    "Invalid URL.": "Địa chỉ URL không hợp lệ.",
    "Invalid UUID.": "Mã UUID không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị không hợp lệ, phải là một trong: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Giá trị không hợp lệ, không được là: %(values)s.",
    "This field cannot be edited.": "Không được sửa trường này.",
    "This field is disabled and cannot have a value.": "Trường này bị khóa, không nhận giá trị.",
    "Invalid CSRF Token.": "Phiên làm việc không hợp lệ, vui lòng tải lại trang.",
    "CSRF token missing.": "Phiên làm việc không hợp lệ, vui lòng tải lại trang.",
    "CSRF failed.": "Phiên làm việc không hợp lệ, vui lòng tải lại trang.",
    "CSRF token expired.": "Phiên làm việc đã hết hạn, vui lòng tải lại trang.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Không có lựa chọn nào.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' không phải là lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' không phải là các lựa chọn hợp lệ.",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ, vui lòng nhập theo dạng dd/mm/yyyy.",
    "Not a valid time value.": "Giờ không hợp lệ.",
    "Not a valid week value.": "Tuần không hợp lệ.",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
}


class VietnameseMessages:
    """The gettext interface WTForms asks its translations for; unknown messages pass through."""

    def gettext(self, string):
        return _MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


VIETNAMESE_MESSAGES = VietnameseMessages()


class PortalForm(FlaskForm):
    """The base of every form in the portal: WTForms' own messages come out in Vietnamese."""

    class Meta:
        def get_translations(self, form):
            return VIETNAMESE_MESSAGES
