"""The region pages cost the same few queries for 10 teams as for 200."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    MonthlyReview,
    PeriodKind,
    TeamFigures,
)
from conftest import client_for
from members.tests.factories import MemberFactory
from regions import query as region_query
from regions.filters import TEAM_SORTS, OverviewFilters, RegionTree, apply_filters
from regions.query import YearWindow, page_of_teams, teams_with_figures
from regions.rows import OverviewRow
from regions.tests.conftest import TODAY, YEAR, approved
from teams.access import roles_for
from teams.models import Team
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


# --- The same few queries for 10 teams as for 200 ----------------------------------------------


def _teams_with_everything(region, count: int, start: int) -> list[Team]:
    teams = Team.objects.bulk_create(
        [
            Team(
                name=f"批量队{start + n}",
                slug=f"bulk-{start + n}",
                region=region,
                host_unit=f"单位{n % 7}",
                founded_on=datetime.date(2016, 1, 1),
            )
            for n in range(count)
        ]
    )
    now = timezone.now()
    TeamFigures.objects.bulk_create(
        [
            TeamFigures(
                team=team,
                kind=kind,
                year=YEAR,
                month=month,
                activities=2,
                person_hours=Decimal("10.0"),
                registered_volunteers=3,
            )
            for team in teams
            for kind, month in [(PeriodKind.YEAR, 0), (PeriodKind.MONTH, 1)]
        ]
    )
    MonthlyReview.objects.bulk_create(
        [MonthlyReview(team=team, year=YEAR, month=1, signed_at=now) for team in teams]
    )
    for team in teams[:3]:
        member = MemberFactory(team=team)
        approved(team, datetime.date(YEAR, 1, 5), "2.0", [member])
    return teams


def _queries(client: Client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_teams(personas):
    client = client_for(personas.region_admin)
    region = personas.region
    small = _teams_with_everything(region, 10, 0)
    client.get(reverse("regions:overview"))  # warm up: sessions, content types
    counts_small = {
        "overview": _queries(client, reverse("regions:overview"), {"sort": "-on_track"}),
        "export": _queries(client, reverse("regions:export")),
        "ranking": _queries(client, reverse("regions:ranking")),
        "compare": _queries(client, reverse("regions:compare"), {"team": ["bulk-0", "bulk-1"]}),
        "team": _queries(client, reverse("regions:team", args=["bulk-0"])),
    }
    _teams_with_everything(region, 190, 10)
    assert Team.objects.filter(region=region).count() == 201
    counts_large = {
        "overview": _queries(client, reverse("regions:overview"), {"sort": "-on_track"}),
        "export": _queries(client, reverse("regions:export")),
        "ranking": _queries(client, reverse("regions:ranking")),
        "compare": _queries(
            client,
            reverse("regions:compare"),
            {"team": ["bulk-0", "bulk-1", "bulk-2", "bulk-150", "bulk-199"]},
        ),
        "team": _queries(client, reverse("regions:team", args=["bulk-0"])),
    }
    assert counts_large == counts_small
    assert small  # the first ten are still there


@pytest.mark.parametrize("sort", sorted(TEAM_SORTS | {f"-{s}" for s in TEAM_SORTS}))
@pytest.mark.parametrize("params", [{}, {"published": "yes"}, {"host_unit": "局"}])
def test_pages_chosen_from_the_teams_alone_are_the_full_querys_pages(
    many, personas, province_admin, monkeypatch, sort, params
):
    """Sorted by a team column, the page's teams are picked from the teams table and
    then given their figures: the same teams, order, figures and rules as the query
    that joins everything first (the path every figure sort takes)."""
    monkeypatch.setattr(region_query, "PAGE_SIZE", 2)
    # Another team with the same host unit: ties are broken by name.
    TeamFactory(slug="f-finance", name="f-finance 队", region=personas.region, host_unit="A 财政局")
    roles = roles_for(province_admin)
    region_ids = roles.admin_region_ids()
    tree = RegionTree.load(region_ids)
    filters = OverviewFilters.from_query({"sort": sort, **params}, tree=tree)
    window = YearWindow.for_year(YEAR, TODAY)
    teams = apply_filters(teams_with_figures(region_ids, window), filters, tree=tree)
    seen = []
    pages = Paginator(teams, 2).num_pages
    assert pages >= 2
    for number in range(1, pages + 1):
        page, chosen = page_of_teams(
            lambda: teams,
            filters,
            tree=tree,
            region_ids=region_ids,
            window=window,
            page_number=number,
        )
        full = Paginator(teams, 2).get_page(number)
        assert page.paginator.count == full.paginator.count
        assert [t.pk for t in chosen] == [t.pk for t in full.object_list]
        for mine, theirs in zip(chosen, full.object_list, strict=True):
            assert OverviewRow.from_team(mine) == OverviewRow.from_team(theirs)
        seen += [t.slug for t in chosen]
    assert len(seen) == len(set(seen)) == teams.count()
