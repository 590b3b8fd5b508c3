"""Sign-ups at once from two processes on PostgreSQL (docs/domain.md § Entities, Sign-ups): the
lock on the occurrence keeps the capacity and serves the queue in order."""

from __future__ import annotations

import multiprocessing

import pytest

from activities.tests.test_worker_loss import database_url_of_the_tests
from planning.tests.factories import occurrence_of
from signups import services
from signups.models import SignUp, SignUpStatus
from signups.tests import concurrent_workers
from signups.tests.factories import volunteer_of
from teams.tests.factories import TeamFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT = 120


def run_two(target_a, args_a, target_b, args_b) -> list:
    """Run two processes (spawned: their own Django and connection) that start together."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    out = context.Queue()
    url = database_url_of_the_tests()
    processes = [
        context.Process(target=target, args=(url, *args, start, out))
        for target, args in ((target_a, args_a), (target_b, args_b))
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=WAIT) for _ in processes]
    for process in processes:
        process.join(timeout=WAIT)
        assert process.exitcode == 0
    return results


def queue_of(occurrence) -> list[tuple[int, str]]:
    rows = SignUp.objects.filter(occurrence=occurrence).order_by("requested_at", "pk")
    return list(rows.values_list("user_id", "status"))


def test_eight_at_once_for_three_places():
    team = TeamFactory()
    occurrence = occurrence_of(team, capacity=3)
    users = [volunteer_of(team).pk for _ in range(8)]
    reported = run_two(
        concurrent_workers.sign_up_all,
        (occurrence.pk, users[0::2]),
        concurrent_workers.sign_up_all,
        (occurrence.pk, users[1::2]),
    )
    said = dict(pair for _name, result in reported for pair in result)
    queue = queue_of(occurrence)
    statuses = [status for _user, status in queue]
    # Exactly three places taken, and in the order served: the first three in the queue
    # are confirmed, the five after them wait.
    assert statuses == ["confirmed"] * 3 + ["waiting"] * 5
    # What each request was told is what was saved.
    assert said == dict(queue)
    assert sorted(said) == sorted(users)


def test_cancels_and_sign_ups_at_once_keep_the_capacity():
    team = TeamFactory()
    occurrence = occurrence_of(team, capacity=3)
    first = [volunteer_of(team) for _ in range(5)]  # three confirmed, two waiting
    for user in first:
        services.sign_up(occurrence, user)
    newcomers = [volunteer_of(team).pk for _ in range(3)]
    reported = run_two(
        concurrent_workers.cancel_all,
        (occurrence.pk, [first[0].pk, first[1].pk]),
        concurrent_workers.sign_up_all,
        (occurrence.pk, newcomers),
    )
    moved = dict(reported)["cancel"]
    confirmed = SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.CONFIRMED)
    assert sorted(confirmed.values_list("user_id", flat=True)) == [u.pk for u in first[2:]]
    # The two freed places went to the two who waited first, never to a newcomer.
    assert sorted(moved) == [first[3].pk, first[4].pk]
    waiting = SignUp.objects.filter(occurrence=occurrence, status=SignUpStatus.WAITING)
    assert sorted(waiting.values_list("user_id", flat=True)) == newcomers
