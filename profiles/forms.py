"""Forms for the public profile: the secretary's edits, the public's 纠错, resolving one.

They validate (and sanitise the main deeds); the writes are in ``profiles.views``.
"""

from __future__ import annotations

import nh3
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from members.models import Member
from teams.models import ErrorReport, Team

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

PROFILE_FIELDS = [
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


class ProfileForm(forms.ModelForm):
    """The profile's texts, as the secretary edits them."""

    class Meta:
        model = Team
        fields = PROFILE_FIELDS
        widgets = {
            "main_deeds": forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead_member = self.fields["lead_member"]
        lead_member.queryset = Member.objects.filter(team=self.instance).active().order_by("name")
        lead_member.empty_label = _("— not a registered member —")
        lead_member.help_text = _("If the lead is a member, choose them; otherwise write the name.")
        self.fields["lead_consents_to_publication"].help_text = _(
            "Without this consent the profile leaves the project lead out entirely."
        )
        # The reference profile's text is some 2,000 characters; the field has no limit.
        self.fields["main_deeds"].validators.append(MaxLengthValidator(MAIN_DEEDS_MAX_LENGTH))
        # No angle brackets here: form templates show help texts as HTML.
        self.fields["main_deeds"].help_text = _(
            "Formatted text (HTML). Allowed: paragraphs (p), line breaks (br), bold (strong, b), "
            "italics (em, i), underline (u), headings (h3, h4), lists (ul, ol, li), quotations "
            "(blockquote) and links (a href). Anything else is removed when saved."
        )
        self.fields["published_on"].help_text = _(
            "Set to today automatically the first time the profile is published."
        )
        self.helper = FormHelper()
        # The template writes the <form> tag and the CSRF token itself.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Project lead"),
                Row(
                    Column("lead_member", css_class="col-md-4"),
                    Column("lead_name", css_class="col-md-4"),
                    Column("lead_title", css_class="col-md-4"),
                ),
                "lead_consents_to_publication",
            ),
            Fieldset(_("Profile text"), Field("main_deeds"), "recommending_unit"),
            Fieldset(
                _("Publication"),
                Row(
                    Column("publication_source", css_class="col-md-4"),
                    Column("responsible_editor", css_class="col-md-4"),
                    Column("published_on", css_class="col-md-4"),
                ),
            ),
        )

    def clean_main_deeds(self) -> str:
        return sanitise_html(self.cleaned_data.get("main_deeds", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lead_member"):
            # One lead: a chosen member's name wins, so a stale typed name is dropped.
            cleaned["lead_name"] = ""
        return cleaned


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
        fields = ["description", "contact"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "contact": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        labels = {"description": _("What is wrong on this page?")}
        help_texts = {
            "description": _(
                "Say which line is wrong and what it should say (up to 2000 characters)."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].label = _("Your name or phone (optional)")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
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
