"""Forms of the monthly review: the members' filter and the sign-off. They validate only."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from compliance.review_data import MemberRow, behind_first_key
from compliance.standing import MemberStatus
from members.models import CadreRank
from teams.models import Team

RANK_ORDER = {value: index for index, value in enumerate(CadreRank.values)}

# ?sort= values and how each orders the members; anything else falls back to "behind".
SORTS = {
    "behind": (_("Behind first"), behind_first_key),
    "number": (_("Volunteer number"), lambda row: row.number),
    "name": (_("Name"), lambda row: (row.name, row.number)),
    "rank": (_("Rank"), lambda row: (RANK_ORDER.get(row.rank, 99), *behind_first_key(row))),
    "most": (_("Most participations first"), lambda row: (-row.ytd_count, row.number)),
}


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *MemberStatus.choices],
    )
    rank = forms.ChoiceField(
        label=_("Cadre rank"), required=False, choices=[("", _("All ranks")), *CadreRank.choices]
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(key, label) for key, (label, _key) in SORTS.items()],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def apply(self, rows: list[MemberRow]) -> list[MemberRow]:
        """The rows filtered and ordered as asked; invalid values are ignored."""
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = cleaned.get("status")
        rank = cleaned.get("rank")
        if status:
            rows = [row for row in rows if row.status == status]
        if rank:
            rows = [row for row in rows if row.rank == rank]
        _label, key = SORTS.get(cleaned.get("sort") or "behind", SORTS["behind"])
        return sorted(rows, key=key)

    @property
    def is_filtered(self) -> bool:
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return bool(cleaned.get("status") or cleaned.get("rank"))


class ReviewSignForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("What you checked, what the team should follow up. Kept with the review."),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class TeamRulesForm(forms.ModelForm):
    """The team's rules (docs/domain.md § Rules); their history is kept on the team."""

    class Meta:
        model = Team
        fields = ["min_activities_per_month", "min_participations_per_member_year"]
        help_texts = {
            "min_activities_per_month": _(
                "The team runs at least this many approved activities "
                "in every calendar month (usually 1)."
            ),
            "min_participations_per_member_year": _(
                "Each member takes part in at least this many approved activities a year "
                "(usually 10); members who join or leave during the year get a pro-rated target."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_activities_per_month"].validators.append(MaxValueValidator(31))
        self.fields["min_activities_per_month"].widget.attrs.update(min=1, max=31)
        self.fields["min_participations_per_member_year"].validators.append(MaxValueValidator(365))
        self.fields["min_participations_per_member_year"].widget.attrs.update(min=1, max=365)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        for name in self.Meta.fields:
            value = cleaned.get(name)
            if value is not None and value < 1:
                self.add_error(name, _("A rule must ask for at least 1."))
        return cleaned
