"""Signals the members app sends for writes that Django's model signals do not cover.

The roster import writes members in bulk (no ``post_save``); the apps above that
follow members (the figures, the monthly reviews) listen here instead.
"""

from django.dispatch import Signal

# Sent inside the import's transaction with ``team_id`` and ``changes``: a list of
# (member id, name, (registered_on, left_on) before or None when new, after).
members_imported = Signal()
