"""Forms for groups, the roster's actions and swaps: they validate; rosters.services writes.

Every choice (a member, a group, an occurrence, a sign-up) is offered from the team's
own objects only, so a tampered id is "not a valid choice", never another team's row.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from planning.models import Occurrence, OccurrenceStatus
from rosters.models import GROUP_NAME_MAX, REASON_MAX, DutyGroup
from rosters.selectors import week_parse
from signups.models import SignUp, SignUpStatus
from volunteer_site.names import pinyin_key

WEEK, FOUR_WEEKS = "week", "4weeks"


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, member: Member) -> str:
        return member.name


class MembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member: Member) -> str:
        membership = getattr(member, "duty_group_membership", None)
        if membership is None:
            return member.name
        return _("%(name)s (now in %(group)s)") % {"name": member.name, "group": membership.group}


class OccurrenceChoice(forms.ModelChoiceField):
    def label_from_instance(self, occurrence: Occurrence) -> str:
        return f"{occurrence.date:%Y-%m-%d} {occurrence.time_range}"


def current_members(team):
    return (
        Member.objects.filter(team=team, left_on__isnull=True)
        .select_related("duty_group_membership__group")
        .order_by("name", "pk")
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Group name"), max_length=GROUP_NAME_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["maxlength"] = str(GROUP_NAME_MAX)


class GroupEditForm(GroupForm):
    members = MembersChoice(
        label=gettext_lazy("Members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A member is in one group at most: ticking moves them here."),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = current_members(team)
        # Offered in pinyin order (扎西 before 卓玛); the queryset still validates.
        members = sorted(field.queryset, key=lambda member: (pinyin_key(member.name), member.pk))
        field.choices = [(member.pk, field.label_from_instance(member)) for member in members]


class PutGroupOnDutyForm(forms.Form):
    occurrence = OccurrenceChoice(label=gettext_lazy("Day"), queryset=Occurrence.objects.none())
    group = forms.ModelChoiceField(
        label=gettext_lazy("Duty group"), queryset=DutyGroup.objects.none()
    )

    def __init__(self, *args, planned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].queryset = Occurrence.objects.filter(planned_activity=planned)
        self.fields["group"].queryset = DutyGroup.objects.filter(team=planned.team_id)


class PutMemberOnDutyForm(forms.Form):
    occurrence = OccurrenceChoice(label=gettext_lazy("Day"), queryset=Occurrence.objects.none())
    member = MemberChoice(label=gettext_lazy("Member"), queryset=Member.objects.none())

    def __init__(self, *args, planned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].queryset = Occurrence.objects.filter(planned_activity=planned)
        self.fields["member"].queryset = current_members(planned.team_id)


class TakeOffDutyForm(forms.Form):
    signup = forms.ModelChoiceField(queryset=SignUp.objects.none())

    def __init__(self, *args, planned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signup"].queryset = SignUp.objects.filter(
            occurrence__planned_activity=planned,
            status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITING],
        )


class RotateForm(forms.Form):
    week = forms.CharField(max_length=20)
    span = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=[(WEEK, gettext_lazy("this week")), (FOUR_WEEKS, gettext_lazy("four weeks"))],
    )

    def __init__(self, *args, planned=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_week(self):
        monday = week_parse(self.cleaned_data["week"])
        if monday is None:
            raise forms.ValidationError(_("The week could not be read."))
        return monday

    def clean(self):
        cleaned = super().clean()
        cleaned["weeks"] = 4 if cleaned.get("span") == FOUR_WEEKS else 1
        return cleaned


class SwapForm(forms.Form):
    partner = MemberChoice(
        label=gettext_lazy("Swap with"),
        queryset=Member.objects.none(),
        empty_label=gettext_lazy("— choose a member —"),
    )
    partner_occurrence = OccurrenceChoice(
        label=gettext_lazy("Their duty in exchange (optional)"),
        queryset=Occurrence.objects.none(),
        required=False,
        empty_label=gettext_lazy("None: they simply take my duty"),
        help_text=gettext_lazy(
            "Choose one of their duties to exchange, or none to hand your duty over."
        ),
    )

    def __init__(self, *args, member: Member, occurrence: Occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Member.objects.filter(team_id=member.team_id, user__isnull=False)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=occurrence.date))
            .exclude(pk=member.pk)
            .order_by("name", "pk")
        )
        self.fields["partner_occurrence"].queryset = (
            Occurrence.objects.filter(
                planned_activity=occurrence.planned_activity_id,
                status=OccurrenceStatus.SCHEDULED,
                starts_at__gt=timezone.now(),
            )
            .exclude(pk=occurrence.pk)
            .order_by("starts_at")
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=REASON_MAX, widget=forms.TextInput()
    )
