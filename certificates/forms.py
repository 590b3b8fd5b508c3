"""The certificate forms: the volunteer's request, the secretary's direct issue, and the
reasons for refusing and revoking. They validate; certificates.services writes."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, IdType
from members.forms import DateInput
from members.models import Member
from volunteer_site.names import normalise_name

# Before this day no service is recorded anywhere in the product (and no date typed as
# 0001-01-01 gets through).
EARLIEST = datetime.date(2000, 1, 1)
ID_NUMBER = re.compile(r"[0-9A-Z]{4,30}")
NATIONAL_ID = re.compile(r"[0-9A-Za-z-]{1,40}")
REASON_MAX_LENGTH = 500


def _text(value: str) -> str:
    """NFKC (full-width letters and digits become ASCII), invisible characters dropped."""
    return normalise_name(value or "")


class PeriodForm(forms.Form):
    period_start = forms.DateField(label=_("Service from"), widget=DateInput())
    period_end = forms.DateField(label=_("Service to"), widget=DateInput())
    national_volunteer_id = forms.CharField(
        label=_("National volunteer ID (optional)"),
        max_length=40,
        required=False,
        help_text=_(
            "The unified volunteer number of the national volunteer service system, "
            "if you have one."
        ),
    )
    remarks = forms.CharField(
        label=_("Remarks (optional)"),
        max_length=Certificate._meta.get_field("remarks").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_national_volunteer_id(self) -> str:
        value = _text(self.cleaned_data["national_volunteer_id"])
        if value and not NATIONAL_ID.fullmatch(value):
            raise forms.ValidationError(_("Only letters, digits and hyphens, please."))
        return value

    def clean_remarks(self) -> str:
        return self.cleaned_data["remarks"].strip()

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        today = timezone.localdate()
        if start and start < EARLIEST:
            self.add_error("period_start", _("The period cannot start before 2000."))
        if end and end > today:
            self.add_error("period_end", _("The period cannot end after today."))
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period is before its start."))
        return data


def clean_id_number(value: str) -> str:
    """An ID number as typed, in one form: NFKC, no spaces, upper case; refused unless it
    is 4 to 30 letters and digits."""
    value = _text(value).upper().replace(" ", "")
    if value and not ID_NUMBER.fullmatch(value):
        raise forms.ValidationError(_("An ID number has 4 to 30 letters and digits."))
    return value


class RequestForm(PeriodForm):
    """申请服务记录证明. Only the ID number's last four characters are kept; the volunteer
    types the whole number again to have it printed on their own download
    (docs/domain.md § Entities, Service-record certificates)."""

    id_type = forms.ChoiceField(
        label=_("ID type (optional)"),
        choices=[("", "—"), *IdType.choices],
        required=False,
    )
    id_number = forms.CharField(
        label=_("ID number (optional)"),
        max_length=30,
        required=False,
        help_text=_(
            "Only its last four characters are kept. To have the whole number printed, type "
            "it again when you download the certificate; it is never stored."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_id_number(self) -> str:
        return clean_id_number(self.cleaned_data["id_number"])

    def clean(self) -> dict:
        data = super().clean()
        if data.get("id_number") and not data.get("id_type"):
            self.add_error("id_type", _("Choose the type of the ID."))
        if data.get("id_type") and not data.get("id_number") and "id_number" not in self.errors:
            self.add_error("id_number", _("Type the ID number, or leave the type empty."))
        return data


class IssueForm(PeriodForm):
    """The secretary issues a certificate directly for a member of the team."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    contact = forms.CharField(label=_("Contact (optional)"), max_length=100, required=False)

    field_order = ["member", "period_start", "period_end"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(team=team).order_by(
            "volunteer_number"
        )

    def clean_contact(self) -> str:
        return _text(self.cleaned_data["contact"])


class ApproveForm(forms.Form):
    contact = forms.CharField(label=_("Contact (optional)"), max_length=100, required=False)

    def clean_contact(self) -> str:
        return _text(self.cleaned_data["contact"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Please give a reason."))
        return value


class FullIdForm(forms.Form):
    """The whole ID number, typed by the volunteer when downloading their certificate: it
    is printed on that one PDF and never stored or logged."""

    id_number = forms.CharField(
        label=_("Your whole ID number (printed on this download only, never stored)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, last_four: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_four = last_four

    def clean_id_number(self) -> str:
        value = clean_id_number(self.cleaned_data["id_number"])
        if value and value[-4:] != self.last_four:
            raise forms.ValidationError(
                _("This number does not end in %(last_four)s, as the one in your request did.")
                % {"last_four": self.last_four}
            )
        return value
