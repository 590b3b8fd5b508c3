"""Roster forms: register or edit a member, mark one as left, filter the list.

The forms validate and show errors by their fields; the writes are in
``members.services``.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import CadreRank, Member
from members.services import (
    EDITABLE_FIELDS,
    REASON_MAX_LENGTH,
    duplicate_number_message,
    member_date_errors,
)
from volunteer_site.names import normalise_name


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberForm(forms.ModelForm):
    """A member's details. The team comes from the address, not from the form."""

    class Meta:
        model = Member
        fields = EDITABLE_FIELDS
        widgets = {
            "registered_on": DateInput(),
            "party_joined_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _(
            "An 11-digit mobile number, or a landline with its area code (0892-8821234)."
        )
        self.fields["party_joined_on"].help_text = _("Only for party members.")
        # Lets the date picker grey out the future; the server still checks.
        today = timezone.localdate().isoformat()
        for name in ("registered_on", "party_joined_on"):
            self.fields[name].widget.attrs["max"] = today
        self.helper = FormHelper()
        # The template writes the <form> tag and the CSRF token itself.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("volunteer_number", css_class="col-md-4"),
                Column("name", css_class="col-md-4"),
                Column("gender", css_class="col-md-4"),
            ),
            Row(
                Column("ethnicity", css_class="col-md-4"),
                Column("cadre_rank", css_class="col-md-4"),
                Column("position", css_class="col-md-4"),
            ),
            Row(
                Column("is_party_member", css_class="col-md-4 pt-md-4"),
                Column("party_joined_on", css_class="col-md-4"),
                Column("registered_on", css_class="col-md-4"),
            ),
            Row(
                Column("work_unit", css_class="col-md-4"),
                Column("phone", css_class="col-md-4"),
                Column("email", css_class="col-md-4"),
            ),
            "consents_to_public_name",
        )

    def clean_volunteer_number(self) -> str:
        # “Ｖ００１” or “V001\u200b” is V001: checked for uniqueness as it will be stored.
        number = normalise_name(self.cleaned_data["volunteer_number"])
        taken = Member.objects.filter(volunteer_number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(duplicate_number_message(number), code="unique")
        return number

    def clean_name(self) -> str:
        return normalise_name(self.cleaned_data["name"])

    def clean_phone(self) -> str:
        # People type numbers in groups ("138 1234 5678"); store the digits.
        return "".join(self.cleaned_data["phone"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        errors = member_date_errors(
            registered_on=cleaned.get("registered_on"),
            is_party_member=bool(cleaned.get("is_party_member")),
            party_joined_on=cleaned.get("party_joined_on"),
            left_on=self.instance.left_on,
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


class MemberLeaveForm(forms.Form):
    """The last day of membership and, optionally, why."""

    left_on = forms.DateField(
        label=_("last day of membership"),
        widget=DateInput(),
        help_text=_("The member's service records up to this day stay in the figures."),
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("For example: transferred to another unit, retired."),
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if not self.is_bound:
            self.initial.setdefault("left_on", timezone.localdate())
        self.fields["left_on"].widget.attrs.update(
            min=member.registered_on.isoformat(), max=timezone.localdate().isoformat()
        )
        self.helper = FormHelper()
        # The template writes the <form> tag and the CSRF token itself.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        if left_on > timezone.localdate():
            raise forms.ValidationError(_("The leaving date cannot be in the future."))
        if left_on < self.member.registered_on:
            raise forms.ValidationError(
                _("The leaving date cannot be before the registration date (%(registered_on)s).")
                % {"registered_on": self.member.registered_on.isoformat()}
            )
        return left_on


class MemberFilterForm(forms.Form):
    """The roster's search box and filters, read from the query string."""

    STATUS_ACTIVE = "active"
    STATUS_LEFT = "left"
    STATUS_ALL = "all"

    q = forms.CharField(
        label=_("search"), required=False, max_length=100, widget=forms.SearchInput()
    )
    party = forms.ChoiceField(
        label=_("party member"),
        required=False,
        choices=[("", _("all")), ("yes", _("party members")), ("no", _("not party members"))],
    )
    cadre_rank = forms.ChoiceField(
        label=_("cadre rank"),
        required=False,
        choices=[("", _("all")), *CadreRank.choices],
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        # The first choice is what an empty query string shows: the current members.
        choices=[
            (STATUS_ACTIVE, _("in the team")),
            (STATUS_LEFT, _("left")),
            (STATUS_ALL, _("all")),
        ],
    )

    # Star volunteers (the stars app stores each member's level as ``Member.star``).
    star = forms.ChoiceField(
        label=_("star level"),
        required=False,
        choices=[
            ("", _("all")),
            ("0", _("no star yet")),
            ("1", _("One star")),
            ("2", _("Two stars")),
            ("3", _("Three stars")),
            ("4", _("Four stars")),
            ("5", _("Five stars")),
        ],
    )

    def __init__(self, *args, search_phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Searching by phone number would let someone who only sees masked numbers
        # find the full number digit by digit, so only the secretary may.
        self.search_phone = search_phone
        self.fields["q"].widget.attrs["placeholder"] = (
            _("name, volunteer number or phone") if search_phone else _("name or volunteer number")
        )

    def filter(self, members: QuerySet[Member]) -> QuerySet[Member]:
        """``members`` narrowed by the valid filters; invalid ones are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        query = normalise_name(data.get("q", ""))
        if query:
            condition = Q(name__icontains=query) | Q(volunteer_number__icontains=query)
            digits = "".join(query.split())
            if self.search_phone and digits:
                condition |= Q(phone__icontains=digits)
            members = members.filter(condition)
        if data.get("party") == "yes":
            members = members.filter(is_party_member=True)
        elif data.get("party") == "no":
            members = members.filter(is_party_member=False)
        if data.get("cadre_rank"):
            members = members.filter(cadre_rank=data["cadre_rank"])
        if data.get("star") == "0":
            members = members.filter(Q(star__isnull=True) | Q(star__level=0))
        elif data.get("star"):
            members = members.filter(star__level=int(data["star"]))
        status = data.get("status") or self.STATUS_ACTIVE
        if status == self.STATUS_ACTIVE:
            members = members.filter(left_on__isnull=True)
        elif status == self.STATUS_LEFT:
            members = members.filter(left_on__isnull=False)
        return members
