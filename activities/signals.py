"""Asking for a figures recompute whenever a change can alter the figures.

Signals rather than calls in each service, so that every path (the pages, the
admin, imports) is covered: an approved activity saved, deleted, approved or
reopened; a participation of an approved activity changed; a member joining,
leaving or changing dates (registered volunteers), one at a time or by the roster
import (``members.signals.members_imported``).

The monthly reviews listen to the same changes (compliance/signals.py).
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from activities.models import Activity, ActivityStatus, Participation
from activities.tasks import figures_changed
from members.models import Member
from members.signals import members_imported


def counts_for_figures(activity: Activity) -> bool:
    """Whether the activity counts now, or counted as it was loaded (approved)."""
    was = getattr(activity, "_loaded_status", None)
    return activity.status == ActivityStatus.APPROVED or was == ActivityStatus.APPROVED


@receiver(post_save, sender=Activity, dispatch_uid="figures-activity-saved")
@receiver(post_delete, sender=Activity, dispatch_uid="figures-activity-deleted")
def activity_changed(sender, instance: Activity, **kwargs) -> None:
    if counts_for_figures(instance):
        figures_changed(team_id=instance.team_id)


def deleted_with_its_activity(origin) -> bool:
    """Whether a participation's post_delete comes from deleting activities (``origin``,
    Django's delete origin: an Activity or a queryset of them): the activity's own
    receiver then answers for the change, once, instead of once per participant."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Activity


@receiver(post_save, sender=Participation, dispatch_uid="figures-participation-saved")
@receiver(post_delete, sender=Participation, dispatch_uid="figures-participation-deleted")
def participation_changed(sender, instance: Participation, origin=None, **kwargs) -> None:
    if deleted_with_its_activity(origin):
        return
    team_id = (
        Activity.objects.approved()
        .filter(pk=instance.activity_id)
        .values_list("team_id", flat=True)
        .first()
    )
    if team_id is not None:
        figures_changed(team_id=team_id)


@receiver(post_save, sender=Member, dispatch_uid="figures-member-saved")
@receiver(post_delete, sender=Member, dispatch_uid="figures-member-deleted")
def member_changed(sender, instance: Member, **kwargs) -> None:
    figures_changed(team_id=instance.team_id)


@receiver(members_imported, dispatch_uid="figures-members-imported")
def members_imported_changed(sender, team_id: int, **kwargs) -> None:
    figures_changed(team_id=team_id)
