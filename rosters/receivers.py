"""What rosters does when planning tells it something (planning/signals.py)."""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from planning.signals import occurrences_cancelled
from rosters.models import SwapRequest, SwapStatus


@receiver(occurrences_cancelled, dispatch_uid="rosters.reject_swaps_of_cancelled")
def reject_swaps_of_cancelled(sender, occurrences, by=None, **kwargs) -> None:
    """A pending swap of an occurrence that will not take place (either side) is
    rejected, with the reason in the site's language, so nobody waits for a decision
    that cannot come."""
    ids = [occurrence.pk for occurrence in occurrences]
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The duty was cancelled.")
    pending = SwapRequest.objects.filter(status=SwapStatus.PENDING)
    (pending.filter(occurrence_id__in=ids) | pending.filter(partner_occurrence_id__in=ids)).update(
        status=SwapStatus.REJECTED, reason=reason, decided_by=by, decided_at=timezone.now()
    )
