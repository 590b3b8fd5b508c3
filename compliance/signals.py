"""Marking a signed-off month "changed after sign-off" when a change touches it.

The same changes that ask for a figures recompute (activities/signals.py): an
approved activity saved, approved, reopened or deleted, its participants changed,
or a member's registration (joined, left, dates edited, deleted): compliance/reviews.py
records what happened.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from activities.models import Activity, ActivityStatus, Participation
from activities.signals import counts_for_figures, deleted_with_its_activity
from compliance import reviews
from members.models import Member
from members.signals import members_imported


@receiver(pre_save, sender=Activity, dispatch_uid="reviews-activity-before-save")
def activity_before_save(sender, instance: Activity, **kwargs) -> None:
    # Only an approved activity's old values matter to a signed review (its month
    # or figures may be changing); one query, and only for those.
    was = getattr(instance, "_loaded_status", None)
    approved = instance.pk is not None and was == ActivityStatus.APPROVED
    instance._figures_before = reviews.figure_values(instance.pk) if approved else None


@receiver(post_save, sender=Activity, dispatch_uid="reviews-activity-saved")
def activity_saved(sender, instance: Activity, **kwargs) -> None:
    if counts_for_figures(instance):
        reviews.review_note_activity_saved(
            instance, before=getattr(instance, "_figures_before", None)
        )
    instance._figures_before = None


@receiver(post_delete, sender=Activity, dispatch_uid="reviews-activity-deleted")
def activity_deleted(sender, instance: Activity, **kwargs) -> None:
    if counts_for_figures(instance):
        reviews.review_note_activity_deleted(instance)


@receiver(post_save, sender=Participation, dispatch_uid="reviews-participation-saved")
@receiver(post_delete, sender=Participation, dispatch_uid="reviews-participation-deleted")
def participation_changed(sender, instance: Participation, origin=None, **kwargs) -> None:
    if deleted_with_its_activity(origin):
        return  # activity_deleted notes it once
    activity = (
        Activity.objects.approved()
        .filter(pk=instance.activity_id)
        .only("status", "team_id", "start_date", "title")
        .first()
    )
    if activity is not None:
        reviews.review_note_participants(activity)


@receiver(pre_save, sender=Member, dispatch_uid="reviews-member-before-save")
def member_before_save(sender, instance: Member, **kwargs) -> None:
    instance._dates_before = (
        Member.objects.filter(pk=instance.pk).values_list("registered_on", "left_on").first()
        if instance.pk is not None
        else None
    )


@receiver(post_save, sender=Member, dispatch_uid="reviews-member-saved")
def member_saved(sender, instance: Member, **kwargs) -> None:
    after = (instance.registered_on, instance.left_on)
    before = getattr(instance, "_dates_before", None)
    if before != after:
        reviews.review_note_members_changed(
            team_id=instance.team_id, changes=[(instance.pk, instance.name, before, after)]
        )


@receiver(post_delete, sender=Member, dispatch_uid="reviews-member-deleted")
def member_deleted(sender, instance: Member, **kwargs) -> None:
    before = (instance.registered_on, instance.left_on)
    reviews.review_note_members_changed(
        team_id=instance.team_id, changes=[(instance.pk, instance.name, before, None)]
    )


@receiver(members_imported, dispatch_uid="reviews-members-imported")
def members_imported_changed(sender, team_id: int, changes, **kwargs) -> None:
    reviews.review_note_members_changed(
        team_id=team_id, changes=[change for change in changes if change[2] != change[3]]
    )
