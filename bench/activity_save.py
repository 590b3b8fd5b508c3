"""Saving an activity with 120 participants: how many queries, how long.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_bench \\
        .venv/bin/python bench/activity_save.py        # after manage.py seed_bulk
    .venv/bin/python bench/activity_save.py --smoke    # tiny, throw-away database

Through the page (POST to "log an activity" as the team's secretary: the form, the
participant picker, the service) and through the service alone
(``services.activity_save``), for a new activity and for an edit that changes ten
participants' hours and swaps ten others. Each save runs in a transaction that is
rolled back, so the database is left as it was; the figures are not involved (a
draft does not count; bench/recompute.py times the recompute after an approval).
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import heading, line, main_wrapper, ms, reference_team, summary, timed  # noqa: E402

PARTICIPANTS = 120


class _Rollback(Exception):
    pass


def _rolled_back(function):
    """Run ``function`` in a transaction that is then rolled back; return its result."""
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            box["result"] = function()
            raise _Rollback
    except _Rollback:
        pass
    return box["result"]


def _measure(function, repeat: int) -> tuple[dict, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], []
    for _ in range(repeat):

        def once():
            with CaptureQueriesContext(connection) as queries:
                seconds, _ = timed(function)
            return seconds, len(queries)

        seconds, count = _rolled_back(once)
        times.append(seconds)
        counts.append(count)
    return summary(times), max(counts)


def _check(response, url: str) -> None:
    """The page saved (a redirect), or what the form said."""
    if response.status_code != 302:
        context = response.context or {}
        errors = {
            "form": getattr(context.get("form"), "errors", None),
            "participants": getattr(context.get("selection"), "errors", None),
            "problems": context.get("problems"),
        }
        if not any(errors.values()):
            import re

            text = response.content.decode()
            errors = re.findall(r'class="(?:invalid-feedback|alert[^"]*)"[^>]*>(.*?)<', text, re.S)
        raise AssertionError(f"{url} answered {response.status_code}: {errors}")


def run(*, smoke: bool) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from activities import services
    from activities.models import Activity
    from activities.services import ParticipantInput
    from teams.models import TeamRole

    team = reference_team()
    today = datetime.date.today()
    day = today - datetime.timedelta(days=3)
    # Members still in the team (the page's picker offers only those), there that day.
    pickable = team.members.filter(left_on__isnull=True, registered_on__lte=day).order_by("pk")
    members = list(pickable[:PARTICIPANTS])
    count = len(members)
    repeat = 2 if smoke else 7
    heading(f"Saving an activity with {count} participants ({team.slug})")
    fields = {
        "category": team.available_categories().first(),
        "title": "基准测试：火车站旅客引导服务",
        "start_date": day,
        "end_date": day,
        "hours": Decimal("4.0"),
        "place": "火车站",
        "organiser": team.host_unit,
        "content": "引导旅客、维护秩序。",
        "people_reached": 1000,
        "materials_distributed": 0,
        "households_visited": 0,
        "donation_yuan": Decimal("0"),
        "other_outcomes": "",
    }
    user, _ = get_user_model().objects.get_or_create(username="bench-secretary")
    TeamRole.objects.update_or_create(
        user=user, team=team, defaults={"role": TeamRole.Role.SECRETARY}
    )
    inputs = [ParticipantInput(member=m, hours=Decimal("4.0")) for m in members]

    def create():
        return services.activity_save(team=team, by=user, fields=fields, participants=inputs)

    results = {}
    timing, queries = _measure(create, repeat)
    line("service: new activity (median)", f"{ms(timing['median'])}  {queries} queries")
    results["service_create"] = (timing["median"], queries)

    # An edit: ten members' hours lowered, ten removed and ten others added.
    others = list(pickable[count : count + 10])

    def edit():
        activity = create()
        changed = [
            ParticipantInput(member=p.member, hours=Decimal("3.0"))
            if i < 10
            else ParticipantInput(member=p.member, hours=p.hours)
            for i, p in enumerate(inputs[: count - 10])
        ] + [ParticipantInput(member=m, hours=Decimal("4.0")) for m in others]
        activity = Activity.objects.get(pk=activity.pk)
        seconds, _ = timed(
            lambda: services.activity_save(
                team=team, by=user, fields=fields, participants=changed, activity=activity
            )
        )
        return seconds

    edits = [_rolled_back(edit) for _ in range(repeat)]
    line("service: edit 30 participants (median)", ms(summary(edits)["median"]))

    # Through the page, as the secretary.
    post = {name: (value.pk if hasattr(value, "pk") else value) for name, value in fields.items()}
    post["participant"] = [str(m.pk) for m in members]
    post["organiser"] = [str(members[0].pk)]
    post["confirm_duplicate"] = "on"  # the seeded data may hold a look-alike that day
    url = reverse("activities:create", kwargs={"slug": team.slug})

    def page():
        client = Client()
        client.force_login(user)
        seconds, response = timed(lambda: client.post(url, post))
        _check(response, url)
        return seconds

    def page_with_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            seconds, response = timed(lambda: client.post(url, post))
        _check(response, url)
        return seconds, len(captured)

    pages = [_rolled_back(page) for _ in range(repeat)]
    _seconds, page_queries = _rolled_back(page_with_queries)
    line(
        "page: POST new activity (median)",
        f"{ms(summary(pages)['median'])}  {page_queries} queries",
    )
    results["page_create"] = (summary(pages)["median"], page_queries)
    return results


if __name__ == "__main__":
    main_wrapper(run, sys.argv[1:], __doc__.splitlines()[0])
