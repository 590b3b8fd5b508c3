"""Two issues at once on PostgreSQL: the second waits for the first's row lock on the
team's counter and takes the next number (marked ``services``: SQLite has no row locks)."""

import threading

import pytest
from django.db import connection, transaction

from certificates.services import next_number

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_second_issue_waits_for_the_first_and_takes_the_next_number(personas):
    team = personas.team
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    numbers: dict[str, str] = {}
    second_done = threading.Event()

    def first():
        try:
            with transaction.atomic():
                numbers["first"] = next_number(team=team, year=2026)
                first_holds_lock.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second():
        try:
            first_holds_lock.wait(10)
            with transaction.atomic():
                numbers["second"] = next_number(team=team, year=2026)
            second_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_lock.wait(10)
    # While the first transaction is open, the second is blocked on the counter's row.
    assert not second_done.wait(1.0)
    release_first.set()
    for thread in threads:
        thread.join(15)
    assert numbers == {"first": "our-team-2026-0001", "second": "our-team-2026-0002"}


def test_two_first_issues_of_a_year_do_not_share_a_number(personas):
    """No counter row yet: both create it at once; one creation loses and reuses the row."""
    team = personas.team
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    lock = threading.Lock()

    def issue():
        try:
            barrier.wait(10)
            with transaction.atomic():
                number = next_number(team=team, year=2031)
            with lock:
                numbers.append(number)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert sorted(numbers) == ["our-team-2031-0001", "our-team-2031-0002"]
