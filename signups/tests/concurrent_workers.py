"""What each process of the concurrency tests runs (test_concurrency.py): its own Django,
its own connections to the test database, started with the 'spawn' method.

Inside a process each request runs in its own thread (its own connection), all let go
together; the count of confirmed people is slowed down (``SLOW``) so that requests
without the occurrence's lock would overlap and overfill it: the tests fail if the
lock goes."""

from __future__ import annotations

import os
import threading
import time

SLOW = 0.05  # seconds added after counting the confirmed people


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_site.settings")
    import django

    django.setup()

    from signups import services

    count = services._confirmed_count

    def slow_count(occurrence):
        found = count(occurrence)
        time.sleep(SLOW)
        return found

    services._confirmed_count = slow_count


def _in_threads(work, items, start) -> list:
    """Run ``work(item)`` for each item in its own thread, once every process is ready
    (``start``, a barrier across the processes); the results in the items' order."""
    from django.db import connection

    results: list = [None] * len(items)
    errors: list = []
    go = threading.Event()

    def run(index, item):
        go.wait()
        try:
            results[index] = work(item)
        except Exception as error:  # reported to the test, which fails
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    go.set()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise RuntimeError(errors)
    return results


def sign_up_all(database_url: str, occurrence_pk: int, user_pks: list[int], start, out) -> None:
    """Each user signs up at once; reports ("sign_up", [(user pk, status)])."""
    _django(database_url)
    from django.contrib.auth import get_user_model

    from planning.models import Occurrence
    from signups import services

    users = list(get_user_model().objects.filter(pk__in=user_pks))
    occurrence = Occurrence.objects.get(pk=occurrence_pk)

    def work(user):
        return user.pk, services.sign_up(occurrence, user).status

    out.put(("sign_up", _in_threads(work, users, start)))


def cancel_all(database_url: str, occurrence_pk: int, user_pks: list[int], start, out) -> None:
    """Each user cancels their own sign-up at once; reports ("cancel", [user pks moved up])."""
    _django(database_url)
    from signups import services
    from signups.models import SignUp

    signups = list(
        SignUp.objects.select_related("user").filter(
            occurrence_id=occurrence_pk, user_id__in=user_pks
        )
    )

    def work(signup):
        _cancelled, promoted = services.cancel(signup, by=signup.user)
        return [s.user_id for s in promoted]

    moved = [pk for promoted in _in_threads(work, signups, start) for pk in promoted]
    out.put(("cancel", moved))
