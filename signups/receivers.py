"""What sign-ups do when planning changes (planning.signals), connected in apps.ready().

Planning sends both signals after its change has committed; these write in their own
transactions and never raise into planning's request: a failure is logged (the lists
can be put right by staff on the occurrence's sign-up page).
"""

from __future__ import annotations

import logging

from signups import services

logger = logging.getLogger(__name__)


def on_occurrences_cancelled(sender, occurrences, by=None, **kwargs) -> None:
    """Everyone on the lists of the cancelled occurrences is taken off and told."""
    try:
        services.occurrences_cancelled_apply(occurrences=list(occurrences), by=by)
    except Exception:
        logger.exception("sign-ups of cancelled occurrences not updated")


def on_planned_changed(sender, planned, changed=(), by=None, **kwargs) -> None:
    """A larger capacity moves the waiting lists of the coming occurrences up."""
    if "capacity" not in set(changed):
        return
    try:
        services.waiting_promote_all(planned=planned)
    except Exception:
        logger.exception("waiting lists of planned activity %s not moved up", planned.pk)
