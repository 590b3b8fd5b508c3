"""Turning cells into values, with messages a person can act on."""

from __future__ import annotations

import datetime
import math
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


# A number a cell can sensibly hold for hours, people or yuan: at most 15
# significant digits either side of the point, as Excel keeps. Beyond, it is a
# slip or an attack (Decimal arithmetic on 1e30 exceeds its 28-digit precision).
SENSIBLE_NUMBERS = (Decimal("1e-15"), Decimal("1e15"))


def cell_text(value) -> str:
    """A cell as text: numbers as Excel shows them (no spurious ".0"), dates as
    2018-01-05, stripped. Raises CellValueError for a number cell holding infinity,
    which no spreadsheet program writes (only a crafted file)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellValueError(
                _("The cell holds a number no spreadsheet can show (%(value)s): type it again.")
                % {"value": value}
            )
        # Floats from Excel carry noise (2.3000000000000003); Excel itself keeps
        # 15 significant digits, and so does this (1e-30 stays 1e-30, not 0).
        return format(Decimal(f"{value:.15g}").normalize(), "f")
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


def cell_decimal(value, *, grouping: bool = True) -> Decimal | None:
    """A number from a number cell or text; None for an empty cell.

    With ``grouping``, thousands separators are dropped ("1,000" is 1000); without
    (hours), "1,5" is not a number rather than fifteen. NaN, infinity and numbers
    outside SENSIBLE_NUMBERS (1e30, 1e-30) raise CellValueError.
    """
    text = cell_text(value)
    if grouping:
        text = text.replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellValueError(_("“%(value)s” is not a number.") % {"value": text})
    low, high = SENSIBLE_NUMBERS
    if number and not low <= abs(number) < high:
        raise CellValueError(
            _("“%(value)s” is far too large or too small a number for this column.")
            % {"value": text}
        )
    return number
