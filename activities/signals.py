"""Asking for a figures recompute whenever a change can alter the figures.

Signals rather than calls in each service, so that every path (the pages, the
admin, imports) is covered: an approved activity saved, deleted, approved or
reopened; a participation of an approved activity changed; a member joining,
leaving or changing dates (registered volunteers).

The same changes, when they touch a month the secretary has signed off, mark
that month's review "changed after sign-off" (activities/reviews.py).
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from activities.models import Activity, ActivityStatus, Participation
from activities.stats import team_figures_request
from compliance import reviews
from members.models import Member


def _counts(activity: Activity) -> bool:
    was = getattr(activity, "_loaded_status", None)
    return activity.status == ActivityStatus.APPROVED or was == ActivityStatus.APPROVED


@receiver(pre_save, sender=Activity, dispatch_uid="reviews-activity-before-save")
def activity_before_save(sender, instance: Activity, **kwargs) -> None:
    # Only an approved activity's old values matter to a signed review (its month
    # or figures may be changing); one query, and only for those.
    was = getattr(instance, "_loaded_status", None)
    approved = instance.pk is not None and was == ActivityStatus.APPROVED
    instance._figures_before = reviews.figure_values(instance.pk) if approved else None


@receiver(post_save, sender=Activity, dispatch_uid="figures-activity-saved")
def activity_saved(sender, instance: Activity, **kwargs) -> None:
    if _counts(instance):
        team_figures_request(team_id=instance.team_id)
        reviews.review_note_activity_saved(
            instance, before=getattr(instance, "_figures_before", None)
        )
    instance._figures_before = None
    instance._loaded_status = instance.status


@receiver(post_delete, sender=Activity, dispatch_uid="figures-activity-deleted")
def activity_deleted(sender, instance: Activity, **kwargs) -> None:
    if _counts(instance):
        team_figures_request(team_id=instance.team_id)
        reviews.review_note_activity_deleted(instance)


@receiver(post_save, sender=Participation, dispatch_uid="figures-participation-saved")
@receiver(post_delete, sender=Participation, dispatch_uid="figures-participation-deleted")
def participation_changed(sender, instance: Participation, **kwargs) -> None:
    activity = (
        Activity.objects.filter(pk=instance.activity_id)
        .only("status", "team_id", "start_date", "title")
        .first()
    )
    if activity is not None and activity.status == ActivityStatus.APPROVED:
        team_figures_request(team_id=activity.team_id)
        reviews.review_note_participants(activity)


@receiver(post_save, sender=Member, dispatch_uid="figures-member-saved")
@receiver(post_delete, sender=Member, dispatch_uid="figures-member-deleted")
def member_changed(sender, instance: Member, **kwargs) -> None:
    team_figures_request(team_id=instance.team_id)
