"""Forms for the public profile: the secretary's edits, the public's 纠错, resolving one.

They validate (and sanitise the main deeds); the writes are in ``profiles.services``.
"""

from __future__ import annotations

import datetime

import nh3
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Member
from teams.models import ErrorReport, ProfilePart, Team
from volunteer_site.names import normalise_name, pinyin_initials, pinyin_key, pinyin_syllables

# What the secretary's formatted text may contain: paragraphs, emphasis, headings,
# lists, quotes and links. Everything else is stripped; <script> and <style> are
# removed with their content; every link gets rel="noopener noreferrer nofollow".
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
}
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitise_html(html: str) -> str:
    """The secretary's formatted text, safe to show to the public.

    Applied when the text is saved and again when it is shown, because the
    admin and imports can write the field without going through the form.
    """
    return _cleaner.clean(html or "")


MAIN_DEEDS_MAX_LENGTH = 20_000
# The People's Republic was founded in October 1949; no party-member team is older.
FOUNDED_EARLIEST_YEAR = 1949

# The team's own columns the form edits; founding month and projects are extra fields.
PROFILE_FIELDS = [
    "name",
    "host_unit",
    "lead_member",
    "lead_name",
    "lead_title",
    "lead_consents_to_publication",
    "recommending_unit",
    "main_deeds",
    "publication_source",
    "responsible_editor",
    "published_on",
]


class LeadSelect(forms.Select):
    """The members as a plain select (the picker without JavaScript), each option
    carrying what profile_edit.js filters on: pinyin, initials, volunteer number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def lead_choices(team: Team) -> tuple[list[tuple[int, str]], dict[str, dict[str, str]]]:
    """The team's active members sorted by pinyin, as (pk, "name（number）") choices,
    and the data attributes of each option."""
    members = sorted(
        Member.objects.filter(team=team).active().only("pk", "name", "volunteer_number"),
        key=lambda member: pinyin_key(member.name),
    )
    choices = [(m.pk, f"{m.name}（{m.volunteer_number}）") for m in members]
    data = {
        str(m.pk): {
            "data-name": m.name,
            "data-number": m.volunteer_number,
            "data-pinyin": "".join(pinyin_syllables(m.name)),
            "data-initials": pinyin_initials(m.name),
        }
        for m in members
    }
    return choices, data


class ProfileForm(forms.ModelForm):
    """Everything the public profile shows that a person writes, as the secretary edits it.

    ``categories`` is the ordered list of the team's regular service projects (ids of
    ``Team.available_categories()``), posted in the order they are to be listed; the
    founding month is chosen as a year and a month. The figures are not here: they are
    computed from the approved activities.
    """

    founded_year = forms.TypedChoiceField(label=_("Year founded"), coerce=int)
    founded_month = forms.TypedChoiceField(
        label=_("Month founded"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a month from the list (1 to 12).")},
    )
    categories = forms.MultipleChoiceField(
        label=_("Regular service projects"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "A chosen project is not one of the team's service categories; "
                "reload the page and choose again."
            )
        },
    )

    class Meta:
        model = Team
        fields = PROFILE_FIELDS
        widgets = {
            "main_deeds": forms.Textarea(attrs={"rows": 16, "data-rich-text": ""}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "lead_member": LeadSelect,
        }

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        team = self.instance
        self.fields["name"].error_messages["unique"] = _(
            "Another team already has this name; choose a different one."
        )
        self.fields["name"].help_text = gettext(
            "The team's address (%(slug)s) stays the same when the name changes."
        ) % {"slug": team.slug}
        years = range(self.today.year, FOUNDED_EARLIEST_YEAR - 1, -1)
        self.fields["founded_year"].choices = [
            (year, gettext("Year %(year)d") % {"year": year}) for year in years
        ]
        self.fields["founded_month"].choices = [
            (month, gettext("Month %(month)d") % {"month": month}) for month in range(1, 13)
        ]
        self.fields["founded_year"].error_messages["invalid_choice"] = gettext(
            "Choose a year from the list (%(first)d to %(last)d)."
        ) % {"first": FOUNDED_EARLIEST_YEAR, "last": self.today.year}
        if team.founded_on:
            self.initial.setdefault("founded_year", team.founded_on.year)
            self.initial.setdefault("founded_month", team.founded_on.month)

        # In the order they were set up: the shared defaults follow the reference profile.
        available = list(team.available_categories().order_by("pk"))
        self.category_names = {str(c.pk): c.name for c in available}
        self.fields["categories"].choices = [(c.pk, c.name) for c in available]
        if team.pk:
            self.initial.setdefault("categories", [str(c.pk) for c in team.categories_in_order()])

        lead_member = self.fields["lead_member"]
        lead_member.queryset = Member.objects.filter(team=team).active()
        choices, data = lead_choices(team)
        lead_member.choices = [("", _("— not a registered member: type the name —"))] + choices
        lead_member.widget.option_data = data
        lead_member.error_messages["invalid_choice"] = _(
            "Choose one of the team's current members, or type the lead's name."
        )
        lead_member.help_text = _("If the lead is a member, choose them; otherwise write the name.")
        self.fields["lead_consents_to_publication"].help_text = _(
            "Without this consent the profile leaves the project lead out entirely."
        )
        # The reference profile's text is some 2,000 characters; the field has no limit.
        self.fields["main_deeds"].validators.append(MaxLengthValidator(MAIN_DEEDS_MAX_LENGTH))
        # No angle brackets here: form templates show help texts as HTML.
        self.fields["main_deeds"].help_text = _(
            "Formatted text: paragraphs, bold, italics, underline, headings, lists, "
            "quotations and links. Any other formatting is removed when saved."
        )
        self.fields["published_on"].help_text = _(
            "Set to today automatically the first time the profile is published."
        )

    def clean_name(self) -> str:
        # What looks the same is the same: a full-width or invisible-character twin of
        # another team's name is that name (volunteer_site/names.py).
        name = normalise_name(self.cleaned_data.get("name", ""))
        if not name:
            raise forms.ValidationError(_("Write the team's name."), code="required")
        if Team.objects.exclude(pk=self.instance.pk).filter(name=name).exists():
            raise forms.ValidationError(
                gettext("Another team is already called “%(name)s”; choose a different name.")
                % {"name": name},
                code="unique",
            )
        return name

    def clean_host_unit(self) -> str:
        host_unit = normalise_name(self.cleaned_data.get("host_unit", ""))
        if not host_unit:
            raise forms.ValidationError(_("Write the host unit."), code="required")
        return host_unit

    def clean_categories(self) -> list[int]:
        """The chosen projects' ids in the posted order, each once."""
        ordered: list[int] = []
        for value in self.cleaned_data.get("categories", []):
            if int(value) not in ordered:
                ordered.append(int(value))
        return ordered

    def clean_main_deeds(self) -> str:
        return sanitise_html(self.cleaned_data.get("main_deeds", ""))

    def clean(self):
        cleaned = super().clean()
        year, month = cleaned.get("founded_year"), cleaned.get("founded_month")
        if year is not None and month is not None:
            founded = datetime.date(year, month, 1)
            if founded > self.today:
                self.add_error("founded_month", _("The founding month cannot be in the future."))
            else:
                cleaned["founded_on"] = founded
        if cleaned.get("lead_member"):
            # One lead: a chosen member's name wins, so a stale typed name is dropped.
            cleaned["lead_name"] = ""
        return cleaned

    def ordered_categories(self) -> list[tuple[str, str]]:
        """The chosen projects as (id, name), in the order shown (bound or not)."""
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("categories"))
        else:
            values = self.initial.get("categories", [])
        seen: list[str] = []
        for value in values:
            if str(value) in self.category_names and str(value) not in seen:
                seen.append(str(value))
        return [(pk, self.category_names[pk]) for pk in seen]

    def unchosen_categories(self) -> list[tuple[str, str]]:
        chosen = {pk for pk, _name in self.ordered_categories()}
        return [(pk, name) for pk, name in self.category_names.items() if pk not in chosen]


class ErrorReportForm(forms.ModelForm):
    """纠错: what is wrong on the profile, and optionally how to reach the reporter.

    ``website`` is a honeypot: hidden from people by CSS, filled in by bots.
    """

    website = forms.CharField(
        label=_("Website (leave this empty)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ErrorReport
        fields = ["field", "description", "contact"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "contact": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "field": _("Which part is wrong? (optional)"),
            "description": _("What is wrong on this page?"),
        }
        help_texts = {
            "description": _(
                "Say which line is wrong and what it should say (up to 2000 characters)."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].label = _("Your name or phone (optional)")
        self.fields["field"].choices = [("", _("Not sure / several parts")), *ProfilePart.choices]
        self.fields["field"].error_messages["invalid_choice"] = _(
            "Choose a part of the profile from the list, or leave it empty."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("field"),
            Field("description"),
            Field("contact"),
            Div("website", css_class="hp-field", aria_hidden="true"),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Resolution note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was corrected, or why nothing was changed."),
    )


class PublishForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("unpublish", _("Withdraw from public view"))]
    )
