"""The one form of sign-ups: staff put a member of the team on an occurrence's list."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Member


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=Member.objects.none(),
        empty_label=_("Choose a member"),
        error_messages={"invalid_choice": _("Choose a member of the team from the list.")},
        help_text=_("Only members with a login can be signed up."),
    )

    def __init__(self, *args, occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        # Members of the team on the day, with a login (a sign-up is a login's).
        self.fields["member"].queryset = (
            Member.objects.filter(team_id=occurrence.planned_activity.team_id, user__isnull=False)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=occurrence.date))
            .select_related("user")
            .order_by("volunteer_number", "pk")
        )
