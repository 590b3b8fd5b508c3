"""The public application form and the secretary's approve and reject forms.

They validate (with the rules of ``applications.services``, so the messages come by
their fields); the writes are in ``applications.services``.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import REASON_MAX_LENGTH, Application
from applications.services import (
    consent_required_message,
    duplicate_problem,
    normalise_phone,
    phone_problem,
)
from members.forms import DateInput
from members.models import CadreRank, Member
from members.services import duplicate_number_message
from teams.models import ServiceCategory, Team
from volunteer_site.names import normalise_name

APPLICATION_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "is_party_member",
    "party_joined_on",
    "work_unit",
    "position",
    "phone",
    "email",
    "categories",
    "consent_processing",
    "consent_public_name",
]


class ApplicationForm(forms.ModelForm):
    """网上申请注册. ``website`` is a honeypot: hidden from people by CSS, filled in by bots."""

    website = forms.CharField(
        label=_("Website (leave this empty)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Application
        fields = APPLICATION_FIELDS
        widgets = {
            "gender": forms.RadioSelect,
            "party_joined_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "categories": forms.CheckboxSelectMultiple,
        }
        labels = {
            "name": _("Full name"),
            "is_party_member": _("I am a member of the Communist Party of China"),
            "party_joined_on": _("Date I joined the party"),
            "work_unit": _("Work unit"),
            "position": _("Position"),
            "phone": _("Mobile or landline phone"),
            "email": _("E-mail (optional)"),
            "categories": _("Services I would like to do"),
            "consent_processing": _(
                "I have read the notice above and agree to the processing of my personal "
                "information (required)"
            ),
            "consent_public_name": _("I agree that my name may be shown publicly (optional)"),
        }

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["name"].required = True
        self.fields["gender"].required = True
        self.fields["gender"].choices = [
            c for c in self.fields["gender"].choices if c[0]
        ]  # no "---------" among radio buttons
        self.fields["phone"].required = True
        # Room for spaces and dashes, removed before the number is checked and stored.
        phone = self.fields["phone"]
        phone.max_length = 30
        phone.validators = [MaxLengthValidator(30)]
        phone.widget.attrs["maxlength"] = 30
        self.fields["phone"].help_text = _(
            "An 11-digit mobile number, or a landline with its area code (0892-8821234). "
            "The secretary uses it to contact you about your application."
        )
        self.fields["email"].help_text = _(
            "If you give one, you will be sent a link to set a password for your own "
            "volunteer record once you are approved, and told if you are not."
        )
        self.fields["party_joined_on"].help_text = _("Only for party members.")
        self.fields["party_joined_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        categories = self.fields["categories"]
        categories.queryset = ServiceCategory.objects.filter(
            pk__in=team.team_categories.values("category_id")
        ).order_by("teamcategory__position", "pk")
        categories.required = False
        categories.help_text = _("Optional; the team's regular service projects.")
        consent = self.fields["consent_processing"]
        consent.required = True
        consent.error_messages["required"] = consent_required_message()
        self.fields["consent_public_name"].initial = False

    def clean_name(self) -> str:
        name = normalise_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_ethnicity(self) -> str:
        return normalise_name(self.cleaned_data["ethnicity"])

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        problem = phone_problem(phone) or duplicate_problem(team=self.team, phone=phone)
        if problem:
            raise forms.ValidationError(problem)
        return phone

    def clean_party_joined_on(self):
        day = self.cleaned_data["party_joined_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date of joining the party cannot be in the future."))
        return day

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("party_joined_on") and not cleaned.get("is_party_member"):
            self.add_error(
                "party_joined_on",
                _(
                    "Only a party member can have a date of joining the party. "
                    "Tick “party member” or clear the date."
                ),
            )
        return cleaned

    def _post_clean(self):
        # The service validates the whole application; the model's own checks here
        # would only repeat the duplicate message as a general error.
        pass

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ApproveForm(forms.Form):
    """What the secretary adds when approving: the volunteer number (a next one is
    suggested), the registration date and the cadre rank."""

    volunteer_number = forms.CharField(
        label=_("Volunteer number"),
        max_length=30,
        help_text=_("Suggested: the number after the team's highest; change it if needed."),
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    cadre_rank = forms.ChoiceField(
        label=_("Cadre rank"), choices=CadreRank.choices, initial=CadreRank.GENERAL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_volunteer_number(self) -> str:
        number = normalise_name(self.cleaned_data["volunteer_number"])
        if not number:
            raise forms.ValidationError(_("Enter the volunteer number."))
        if Member.objects.filter(volunteer_number=number).exists():
            raise forms.ValidationError(duplicate_number_message(number), code="unique")
        return number

    def clean_registered_on(self):
        day = self.cleaned_data["registered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The registration date cannot be in the future."))
        return day


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for not approving"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant sees this on their status page and by e-mail if they gave one."),
        error_messages={"required": _("Give the reason: the applicant is shown it.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason: the applicant is shown it."))
        return reason
