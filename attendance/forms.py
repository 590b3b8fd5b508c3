"""Forms for checking in by code and for the organiser's hand marking."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.forms import HoursField
from attendance import services


class CheckInForm(forms.Form):
    # Wider than 6: "１２３ ４５６" as typed is folded and checked by the service.
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
                "class": "form-control form-control-lg checkin-code-input",
                "aria-describedby": "code-help",
            }
        ),
    )

    def clean_code(self) -> str:
        code = services.normalise_code(self.cleaned_data["code"])
        if not services.is_code_shaped(code):
            raise forms.ValidationError(_("The check-in code is 6 digits, such as 123456."))
        return code


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        member = getattr(user, "member", None)
        return member.name if member is not None else user.get_username()


TIME_ATTRS = {"class": "form-control", "type": "time"}


class MarkForm(forms.Form):
    """Marking one person present: hours, or arrival and leaving times, or neither."""

    user = UserChoiceField(
        label=_("Volunteer"), queryset=None, widget=forms.Select(attrs={"class": "form-select"})
    )
    hours = HoursField(
        label=_("Hours"),
        required=False,
        max_digits=6,
        decimal_places=1,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    arrived = forms.TimeField(
        label=_("Arrived at"), required=False, widget=forms.TimeInput(attrs=TIME_ATTRS)
    )
    left = forms.TimeField(
        label=_("Left at"), required=False, widget=forms.TimeInput(attrs=TIME_ATTRS)
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        team_id = occurrence.planned_activity.team_id
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(
                Q(member__team_id=team_id)
                | Q(signups__occurrence=occurrence)
                | Q(attendances__occurrence=occurrence)
            )
            .select_related("member")
            .distinct()
            .order_by("member__name", "username")
        )
        self.occurrence = occurrence

    def clean(self):
        data = super().clean()
        hours, arrived, left = data.get("hours"), data.get("arrived"), data.get("left")
        if hours is not None and hours <= 0:
            self.add_error("hours", _("A participant's hours must be more than zero."))
        if (arrived is None) != (left is None):
            self.add_error("left", _("Give both the time of arriving and of leaving, or neither."))
        if hours is not None and arrived is not None:
            self.add_error("hours", _("Give the hours or the times, not both."))
        return data

    def moments(self):
        """The arrival and leaving as moments (services.moments_of), or (None, None)."""
        arrived, left = self.cleaned_data.get("arrived"), self.cleaned_data.get("left")
        if arrived is None or left is None:
            return None, None
        return services.moments_of(self.occurrence, arrived, left)
