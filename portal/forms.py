"""Form fields shared by every domain."""
from __future__ import annotations

from datetime import date, datetime

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
