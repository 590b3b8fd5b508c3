"""What planning tells the apps above it (sign-ups, rosters, attendance), which listen.

Both are sent after the change is committed (``transaction.on_commit``).
"""

from django.dispatch import Signal

# Occurrences that will not take place any more (one cancelled by hand, a planned
# activity stopped, changed dates): ``occurrences`` (a list, status already
# cancelled, ``cancelled_reason`` by_hand / stopped / rule), ``by`` (the user).
occurrences_cancelled = Signal()

# A planned activity's details changed (capacity, times, place…): ``planned``,
# ``changed`` (the names of the fields that changed, planning.services.EDITABLE),
# ``by``. Publishing a stopped one again sends ``changed=["is_published"]``; its
# occurrences the stop had cancelled are scheduled again (their sign-ups, if any,
# are as the cancellation's receivers left them). Stopping sends only
# ``occurrences_cancelled``.
planned_changed = Signal()
