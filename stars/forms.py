"""The region admin's thresholds form: validates, does not write."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext as _

from activities.forms import HoursField
from stars.models import LEVEL_NAMES, LEVELS


class ThresholdsForm(forms.Form):
    """Five hours, one per level, each more than zero and more than the one before."""

    def __init__(self, *args, initial_values: tuple[Decimal, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for level, value in zip(LEVELS, initial_values, strict=True):
            self.fields[f"level_{level}"] = HoursField(
                label=_("%(level)s: hours needed") % {"level": LEVEL_NAMES[level]},
                initial=value,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        previous = None
        for level in LEVELS:
            name = f"level_{level}"
            value = cleaned.get(name)
            if value is None:
                previous = None  # its own message is already on the field
                continue
            if value <= 0:
                self.add_error(name, _("The hours must be more than zero."))
            elif previous is not None and value <= previous[1]:
                self.add_error(
                    name,
                    _("%(level)s needs more hours than %(lower)s (%(hours)s).")
                    % {
                        "level": LEVEL_NAMES[level],
                        "lower": LEVEL_NAMES[previous[0]],
                        "hours": previous[1],
                    },
                )
            previous = (level, value)
        return cleaned

    def values(self) -> tuple[Decimal, ...]:
        return tuple(self.cleaned_data[f"level_{level}"] for level in LEVELS)
