"""Turning cells into values, with messages a person can act on."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from volunteer_site.xlsx.errors import CellValueError

DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel stores dates as days since 1899-12-30: these are 1950-01-01 and 2099-12-31.
EXCEL_SERIALS = (18264, 73050)


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as 2018-01-05, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Floats from Excel carry noise (2.3000000000000003): 10 significant digits suffice.
        return format(Decimal(repr(round(value, 10))).normalize(), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value) -> datetime.date | None:
    """A date from a date cell, an Excel day number or text such as 2018/1/5 or 2018年1月5日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            return from_excel(value).date()
        raise CellValueError(_date_message(cell_text(value)))
    text = str(value).strip()
    match = DATE_TEXT.match(text) or COMPACT_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            # Well written, but no such day (2018年2月30日).
            raise CellValueError(
                _("“%(value)s” does not exist in the calendar: check the month and the day.")
                % {"value": text}
            ) from None
    raise CellValueError(_date_message(text))


def _date_message(text: str) -> str:
    return _("“%(value)s” is not a date. Write it as 2018-01-05, 2018/1/5 or 2018年1月5日.") % {
        "value": text
    }


def cell_decimal(value) -> Decimal | None:
    """A number from a number cell or text ("1,000" too); None for an empty cell."""
    text = cell_text(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": text})
    return number
