"""What planning tells the apps above it (sign-ups, rosters, attendance), which listen.

Both are sent after the change is committed (``transaction.on_commit``).
"""

from django.dispatch import Signal

# Occurrences that will not take place any more (one cancelled by hand, a planned
# activity unpublished, a changed rule): ``occurrences`` (a list), ``by`` (the user).
occurrences_cancelled = Signal()

# A planned activity's details changed (capacity, times, place…): ``planned``,
# ``changed`` (the names of the fields that changed), ``by``.
planned_changed = Signal()
