"""Two secretaries approve, at the same moment, two hand-overs of one night to the same
member (PostgreSQL, two connections): one wins, the other is refused, and the member
is on the list once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from rosters import services
from rosters.models import SwapRequest, SwapStatus
from rosters.tests.factories import member_with_login, next_monday, patrol
from signups.models import SignUp, SignUpStatus
from teams.tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_approvals_of_the_same_night_to_the_same_member_at_once():
    team = TeamFactory()
    secretary = UserFactory()
    planned = patrol(team, first=next_monday(), days=1, capacity=2)
    night = planned.occurrences.get()
    ana, bai, cai = (member_with_login(team, name=n) for n in ("阿娜", "白玛", "才旦"))
    for member in (ana, bai):
        services.member_put_on_duty(occurrence=night, member=member, by=secretary)
    swaps = [
        services.swap_request(occurrence=night, requester=ana, partner=cai),
        services.swap_request(occurrence=night, requester=bai, partner=cai),
    ]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(swap):
        try:
            with translation.override("zh-hans"):
                start.wait(timeout=10)
                services.swap_approve(swap=swap, by=secretary)
            outcomes.append("approved")
        except services.RosterError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(swap,)) for swap in swaps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["approved", f"才旦已在{night.date:%Y-%m-%d}的名单上。"])
    statuses = sorted(SwapRequest.objects.values_list("status", flat=True))
    assert statuses == [SwapStatus.APPROVED, SwapStatus.PENDING]
    confirmed = SignUp.objects.filter(occurrence=night, status=SignUpStatus.CONFIRMED)
    names = sorted(confirmed.values_list("user__member__name", flat=True))
    # 才旦 once, and whichever of 阿娜 and 白玛 did not hand over: two, the capacity.
    assert len(names) == 2 and names.count("才旦") == 1
