"""Publishing a planned activity: a simple recurrence chooser instead of RRULE text.

The form validates and turns the choice into the rule (docs/domain.md § Entities,
Planned activities); ``planning.services.planned_activity_publish`` writes.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.forms import DateInput
from planning.models import PlannedActivity

WEEKDAYS = [
    ("MO", gettext_lazy("Monday")),
    ("TU", gettext_lazy("Tuesday")),
    ("WE", gettext_lazy("Wednesday")),
    ("TH", gettext_lazy("Thursday")),
    ("FR", gettext_lazy("Friday")),
    ("SA", gettext_lazy("Saturday")),
    ("SU", gettext_lazy("Sunday")),
]
ONCE, DAILY, WEEKLY, MONTHLY = "once", "daily", "weekly", "monthly"
MAX_CAPACITY = 10_000
MAX_CUTOFF_HOURS = 24 * 14
TEXT_LIMITS = {"title": 200, "place": 200, "what_to_bring": 1000}


class EndTimeField(forms.TimeField):
    """A time of day that also reads 24:00 (midnight at the end of the day)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() in ("24:00", "24:00:00"):
            return datetime.time(0, 0)
        return super().to_python(value)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def chooser_initial(rule: str) -> dict:
    """The chooser's values for a rule it wrote (the reverse of ``clean``)."""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    freq, byday = parts.get("FREQ"), parts.get("BYDAY", "")
    if freq == "DAILY":
        return {"repeat": DAILY}
    if freq == "WEEKLY":
        return {"repeat": WEEKLY, "weekdays": [day for day in byday.split(",") if day]}
    if freq == "MONTHLY" and byday.startswith("1"):
        return {"repeat": MONTHLY, "month_weekday": byday[1:]}
    return {"repeat": ONCE}


def rule_of_choice(repeat: str | None, weekdays=None, month_weekday=None) -> str:
    """The rule the chooser writes (empty for once, or a choice left incomplete)."""
    if repeat == DAILY:
        return "FREQ=DAILY"
    if repeat == WEEKLY and weekdays:
        order = [code for code, _label in WEEKDAYS]
        return "FREQ=WEEKLY;BYDAY=" + ",".join(sorted(weekdays, key=order.index))
    if repeat == MONTHLY and month_weekday:
        return f"FREQ=MONTHLY;BYDAY=1{month_weekday}"
    return ""


def rule_summary(rule: str) -> str:
    """How the chooser reads a rule, for lists: 每天, 每周星期一、星期三, 每月第一个星期六."""
    chosen = chooser_initial(rule)
    labels = dict(WEEKDAYS)
    if chosen["repeat"] == DAILY:
        return _("Every day")
    if chosen["repeat"] == WEEKLY:
        days = "、".join(str(labels[day]) for day in chosen["weekdays"] if day in labels)
        return _("Every week on %(days)s") % {"days": days}
    if chosen["repeat"] == MONTHLY:
        day = labels.get(chosen["month_weekday"], "")
        return _("Every month on the first %(day)s") % {"day": day}
    return _("Once")


class PlannedActivityForm(forms.ModelForm):
    repeat = forms.ChoiceField(
        label=gettext_lazy("Repeats"),
        choices=[
            (ONCE, gettext_lazy("Once")),
            (DAILY, gettext_lazy("Every day")),
            (WEEKLY, gettext_lazy("Every week on the chosen days")),
            (MONTHLY, gettext_lazy("Every month on the first …")),
        ],
        initial=ONCE,
        widget=forms.RadioSelect,
    )
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Days of the week"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    month_weekday = forms.ChoiceField(
        label=gettext_lazy("First … of the month"), choices=WEEKDAYS, required=False
    )

    class Meta:
        model = PlannedActivity
        fields = [
            "category",
            "title",
            "place",
            "what_to_bring",
            "capacity",
            "cutoff_hours",
            "audience",
            "first_date",
            "starts_at",
            "ends_at",
            "end_date",
            "skip_holidays",
            "on_makeup_workdays",
        ]
        field_classes = {"ends_at": EndTimeField}
        labels = {
            "first_date": gettext_lazy("Date (the first, if it repeats)"),
            "end_date": gettext_lazy("Repeats until"),
        }
        help_texts = {
            "ends_at": gettext_lazy(
                "An end before the start is on the next day: 20:00 to 24:00 (00:00)."
            ),
            "end_date": gettext_lazy("Leave empty to repeat with no end."),
        }
        widgets = {
            "first_date": DateInput(),
            "end_date": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
            "audience": forms.RadioSelect,
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.team = team
        self.fields["category"].queryset = team.available_categories()
        self.fields["category"].empty_label = _("— choose a category —")
        self.fields["capacity"].max_value = MAX_CAPACITY
        self.fields["capacity"].validators.append(MaxValueValidator(MAX_CAPACITY))
        self.fields["capacity"].widget.attrs.update({"min": "1", "max": str(MAX_CAPACITY)})
        # Empty is the usual two hours (the model's default), as for a form posted
        # before the field existed.
        cutoff = self.fields["cutoff_hours"]
        cutoff.required = False
        cutoff.min_value, cutoff.max_value = 0, MAX_CUTOFF_HOURS
        cutoff.validators.append(MaxValueValidator(MAX_CUTOFF_HOURS))
        cutoff.widget.attrs.update({"min": "0", "max": str(MAX_CUTOFF_HOURS)})
        self.saved_rule = self.instance.rule if self.instance.pk is not None else ""
        if self.instance.pk is not None and not self.is_bound:
            self.initial.update(chooser_initial(self.instance.rule))
        for name, limit in TEXT_LIMITS.items():
            self.fields[name].max_length = limit
            self.fields[name].widget.attrs["maxlength"] = str(limit)

    def clean_cutoff_hours(self):
        hours = self.cleaned_data.get("cutoff_hours")
        return PlannedActivity._meta.get_field("cutoff_hours").default if hours is None else hours

    def clean(self):
        cleaned = super().clean()
        repeat = cleaned.get("repeat")
        first, end = cleaned.get("first_date"), cleaned.get("end_date")
        start_time, end_time = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start_time is not None and start_time == end_time:
            self.add_error("ends_at", _("The end must differ from the start."))
        if repeat == ONCE:
            cleaned["end_date"] = None
            self.instance.end_date = None
        elif repeat == WEEKLY and not cleaned.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one day of the week."))
        elif repeat == MONTHLY and not cleaned.get("month_weekday"):
            self.add_error("month_weekday", _("Choose the day of the week."))
        rule = rule_of_choice(repeat, cleaned.get("weekdays"), cleaned.get("month_weekday"))
        # A rule the chooser cannot show (an UNTIL or a COUNT written elsewhere) is kept
        # while the chooser is left as it showed it.
        if rule and self.saved_rule and rule == rule_of_choice(**chooser_initial(self.saved_rule)):
            rule = self.saved_rule
        if repeat != ONCE and first and end and end < first:
            self.add_error("end_date", _("The end date cannot be before the first date."))
        self.instance.rule = rule
        return cleaned
