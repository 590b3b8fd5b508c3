"""Forms for logging, filtering and approving activities. They validate; services write."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity, ActivityStatus, Participation
from activities.services import HOURS_LIMIT, ParticipantInput
from members.models import Member
from volunteer_site.ids import posted_ids

ACTIVITY_FIELDS = [
    "category",
    "title",
    "start_date",
    "end_date",
    "hours",
    "place",
    "organiser",
    "content",
    "people_reached",
    "materials_distributed",
    "households_visited",
    "donation_yuan",
    "other_outcomes",
]

DUPLICATE_SIMILARITY = 0.6

# Hours as people type them: ASCII digits with an optional decimal point (and a
# minus sign, so that "-2" gets the "more than zero" message).
HOURS_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def parse_hours(raw: str) -> Decimal:
    """Hours typed by a person, or a ValidationError with a message for them.

    Decimal() also takes "NaN", "sNaN", "Infinity", "1e30" and digits of other
    scripts ("١٢", "４"): NaN passes many validators and a comparison with it, or a
    quantize of 1e30, raises later (a 500). Only what the pattern allows is read,
    and values beyond the column's digits are refused here, before any arithmetic.
    """
    text = raw.strip()
    if not HOURS_TEXT.fullmatch(text):
        raise ValidationError(
            _(
                "“%(value)s” is not a number of hours: write it in digits with at most one "
                "decimal place, such as 4 or 2.5."
            )
            % {"value": raw},
            code="invalid",
        )
    hours = Decimal(text)
    if abs(hours) >= HOURS_LIMIT:
        raise ValidationError(
            _("“%(value)s” is too many hours; please check the number.") % {"value": raw},
            code="too_many",
        )
    return hours


class HoursField(forms.DecimalField):
    """A DecimalField that reads hours with ``parse_hours``."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_hours(str(value))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


TEXT_LIMITS = {"content": 5000, "other_outcomes": 2000}


class ActivityForm(forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        required=False,
        label=gettext_lazy("This is a different activity; save it anyway"),
    )

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        field_classes = {"hours": HoursField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
            "other_outcomes": forms.Textarea(attrs={"rows": 2}),
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.instance.team = team
        # Its participants come with it (ParticipantSelection): Activity.clean need not
        # hold a lower activity-hours figure against their hours as stored.
        self.instance.participants_posted = True
        self.fields["category"].queryset = team.available_categories()
        self.fields["category"].empty_label = _("— choose a category —")
        # The texts' limits (the database's columns have none): a page of writing each.
        for name, limit in TEXT_LIMITS.items():
            field = self.fields[name]
            field.max_length = limit
            field.widget.attrs["maxlength"] = str(limit)
            field.validators.append(MaxLengthValidator(limit))
        self.duplicates: list[Activity] = []
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        start, end, hours = (cleaned.get(k) for k in ("start_date", "end_date", "hours"))
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        elif start and end and hours is not None and hours > 24 * ((end - start).days + 1):
            self.add_error(
                "hours", _("Service hours cannot be more than 24 for each day of the activity.")
            )
        title = cleaned.get("title")
        if start and title and not cleaned.get("confirm_duplicate"):
            self.duplicates = likely_duplicates(
                team=self.team, start_date=start, title=title, exclude_pk=self.instance.pk
            )
            if self.duplicates:
                # A form-wide error: the summary lists field errors after their label,
                # and the tick box's label glued to this sentence read as nonsense.
                self.add_error(
                    None,
                    _(
                        "An activity with a similar title is already logged on the same day; "
                        "if this is a different one, tick “%(label)s” and save again."
                    )
                    % {"label": self.fields["confirm_duplicate"].label},
                )
        return cleaned

    def model_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTIVITY_FIELDS}


def likely_duplicates(*, team, start_date: datetime.date, title: str, exclude_pk=None):
    """Activities of the team on the same start date whose titles look alike."""
    same_day = Activity.objects.filter(team=team, start_date=start_date).exclude(pk=exclude_pk)
    return [
        other
        for other in same_day
        if difflib.SequenceMatcher(None, other.title, title).ratio() >= DUPLICATE_SIMILARITY
        or other.title in title
        or title in other.title
    ]


@dataclass(frozen=True)
class PickerRow:
    member: Member
    selected: bool
    hours: str
    organiser: bool
    # Why the member cannot take part on the start date ("Registered on …"), or "".
    unavailable: str
    hours_invalid: bool = False


class ParticipantSelection:
    """The participant picker's input: which members, with what hours and role.

    The picker posts ``participant`` (member ids, repeated), ``hours_<id>`` and
    ``organiser_member`` (ids of those who organised; not ``organiser``, which is
    the activity's organising unit, 组织单位). A selected member with no
    hours gets the activity's hours. It keeps what the user chose even when
    invalid, so a failing form shows the same selection again.

    ``start`` (the activity's start date, when known) marks the rows of members
    not registered on it; ``validate`` sets it, a view may set it before.
    """

    def __init__(self, data, *, members: list[Member], initial: list[Participation] = ()):
        self.members = {member.pk: member for member in members}
        self.start: datetime.date | None = None
        self.errors: list[str] = []
        self.invalid_hours: set[int] = set()  # members whose hours box is wrong
        self.cleaned: list[ParticipantInput] = []
        self.unreadable: list[str] = []
        if data is None:
            self.selected = {p.member_id for p in initial}
            self.hours = {p.member_id: str(p.hours) for p in initial}
            self.organisers = {
                p.member_id for p in initial if p.role == Participation.Role.ORGANISER
            }
            return
        selected, unreadable = posted_ids(data.getlist("participant"))
        organisers, unreadable_organisers = posted_ids(data.getlist("organiser_member"))
        self.selected = set(selected)
        self.organisers = set(organisers)
        self.unreadable = unreadable + unreadable_organisers
        self.hours = {
            member_id: data.get(f"hours_{member_id}", "").strip() for member_id in self.members
        }

    def rows(self):
        """A PickerRow for each member, in roster order, for the template."""
        for member in self.members.values():
            yield PickerRow(
                member=member,
                selected=member.pk in self.selected,
                hours=self.hours.get(member.pk, ""),
                organiser=member.pk in self.organisers,
                unavailable=unavailable_on(member, self.start) if self.start else "",
                hours_invalid=member.pk in self.invalid_hours,
            )

    @property
    def count(self) -> int:
        return len(self.selected & self.members.keys())

    def validate(self, *, activity_hours, start, end) -> bool:
        """Check the selection for an activity from ``start`` (``end`` is not needed)."""
        self.start = start
        self.errors = []
        self.invalid_hours = set()
        self.cleaned = []
        if self.unreadable:
            self.errors.append(_("Some ticked members could not be read; please tick them again."))
        unknown = self.selected - self.members.keys()
        if unknown:
            self.errors.append(_("Some chosen participants are not members of this team."))
        for member_id, member in self.members.items():  # roster order
            if member_id not in self.selected:
                continue
            try:
                hours = self._hours(member, activity_hours)
            except ValidationError as error:
                self.errors.append(error.messages[0])
                self.invalid_hours.add(member_id)
                continue
            if hours is None:
                continue
            if start:
                problem = member.registration_problem(start)
                if problem:
                    self.errors.append(problem)
                    continue
            role = (
                Participation.Role.ORGANISER
                if member_id in self.organisers
                else Participation.Role.PARTICIPANT
            )
            self.cleaned.append(ParticipantInput(member=member, hours=hours, role=role))
        return not self.errors

    def _hours(self, member, activity_hours) -> Decimal | None:
        """The member's hours (None if there are none yet); ValidationError if wrong."""
        raw = self.hours.get(member.pk, "")
        if raw == "":
            return activity_hours
        try:
            hours = parse_hours(raw)
        except ValidationError as error:
            raise ValidationError(
                _("%(name)s: %(problem)s") % {"name": member.name, "problem": error.messages[0]}
            ) from None
        if hours <= 0:
            raise ValidationError(
                _("%(name)s: a participant's hours must be more than zero.") % {"name": member.name}
            )
        if hours != hours.quantize(Decimal("0.1")):
            raise ValidationError(
                _("%(name)s: give hours with at most one decimal place.") % {"name": member.name}
            )
        if activity_hours is not None and hours > activity_hours:
            raise ValidationError(
                _("%(name)s: %(hours)s hours is more than the activity's %(activity_hours)s hours.")
                % {"name": member.name, "hours": hours, "activity_hours": activity_hours}
            )
        return hours


def unavailable_on(member: Member, day: datetime.date) -> str:
    """The picker's short note for a member not registered on ``day`` (else "").

    static/js/activity_form.js writes the same notes as the start date is typed.
    """
    if member.was_registered_on(day):
        return ""
    if member.registered_on > day:
        return _("Registered on %(date)s") % {"date": member.registered_on.isoformat()}
    return _("Left on %(date)s") % {"date": member.left_on.isoformat()}


class ActivityFilterForm(forms.Form):
    LATE_CHOICES = [("", gettext_lazy("All")), ("yes", gettext_lazy("Logged late only"))]

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Title or place")}),
    )
    month = forms.DateField(
        label=gettext_lazy("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All"))] + list(ActivityStatus.choices),
    )
    late = forms.ChoiceField(
        label=gettext_lazy("Logged late"), required=False, choices=LATE_CHOICES
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = team.available_categories()
        self.fields["category"].empty_label = _("All")
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(
                Q(title__icontains=data["q"]) | Q(place__icontains=data["q"])
            )
        if data["month"]:
            month = data["month"]
            queryset = queryset.filter(start_date__year=month.year, start_date__month=month.month)
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["late"] == "yes":
            queryset = queryset.filter(is_late=True)
        return queryset


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": gettext_lazy(
                "Please give a reason, so the office staff know what to change."
            )
        },
    )
