"""Asking for a figures recompute whenever a change can alter the figures.

Signals rather than calls in each service, so that every path (the pages, the
admin, imports) is covered: an approved activity saved, deleted, approved or
reopened; a participation of an approved activity changed; a member joining,
leaving or changing dates (registered volunteers).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from activities.models import Activity, ActivityStatus, Participation
from activities.stats import team_figures_request
from members.models import Member


def _counts(activity: Activity) -> bool:
    was = getattr(activity, "_loaded_status", None)
    return activity.status == ActivityStatus.APPROVED or was == ActivityStatus.APPROVED


@receiver(post_save, sender=Activity, dispatch_uid="figures-activity-saved")
def activity_saved(sender, instance: Activity, **kwargs) -> None:
    if _counts(instance):
        team_figures_request(team_id=instance.team_id)
    instance._loaded_status = instance.status


@receiver(post_delete, sender=Activity, dispatch_uid="figures-activity-deleted")
def activity_deleted(sender, instance: Activity, **kwargs) -> None:
    if _counts(instance):
        team_figures_request(team_id=instance.team_id)


@receiver(post_save, sender=Participation, dispatch_uid="figures-participation-saved")
@receiver(post_delete, sender=Participation, dispatch_uid="figures-participation-deleted")
def participation_changed(sender, instance: Participation, **kwargs) -> None:
    activity = Activity.objects.filter(pk=instance.activity_id).only("status", "team_id").first()
    if activity is not None and activity.status == ActivityStatus.APPROVED:
        team_figures_request(team_id=activity.team_id)


@receiver(post_save, sender=Member, dispatch_uid="figures-member-saved")
@receiver(post_delete, sender=Member, dispatch_uid="figures-member-deleted")
def member_changed(sender, instance: Member, **kwargs) -> None:
    team_figures_request(team_id=instance.team_id)
