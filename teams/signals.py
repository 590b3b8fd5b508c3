"""Every public profile shows its team's fields and the service categories' names:
saving either makes the stored profile pages out of date (teams/page_cache.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from profiles.cache import profile_cache_forget_all
from teams.models import ServiceCategory, Team, TeamCategory


@receiver(post_save, sender=Team, dispatch_uid="profile-page-team-saved")
@receiver(post_delete, sender=Team, dispatch_uid="profile-page-team-deleted")
@receiver(post_save, sender=TeamCategory, dispatch_uid="profile-page-teamcategory-saved")
@receiver(post_delete, sender=TeamCategory, dispatch_uid="profile-page-teamcategory-deleted")
@receiver(post_save, sender=ServiceCategory, dispatch_uid="profile-page-category-saved")
@receiver(post_delete, sender=ServiceCategory, dispatch_uid="profile-page-category-deleted")
@receiver(
    m2m_changed, sender=Team.regular_categories.through, dispatch_uid="profile-page-categories"
)
def profile_pages_changed(sender, **kwargs) -> None:
    profile_cache_forget_all()
