"""The civilization office's region pages: who sees which teams, and whether the figures
are the teams' own (regions/query.py, regions/views.py).

The rule columns are checked against ``compliance/standing.py`` on randomly drawn
(seeded) members and months: the overview computes them in SQL for every team at
once, the review computes them in Python for one team, and they must agree.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    ActivityStatus,
    MemberYearFigures,
    MonthlyReview,
    PeriodKind,
    TeamFigures,
    TeamFiguresState,
)
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory
from compliance import review_data
from conftest import client_for
from members.tests.factories import MemberFactory
from regions.query import PAGE_SIZE, YearWindow, teams_with_figures
from regions.rows import COLUMN_KEYS, OverviewRow, overview_rows
from regions.tests.conftest import TODAY, YEAR, approved, month_row, year_row
from teams.models import Team
from teams.tests.factories import RegionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["regions:overview", "regions:export", "regions:compare", "regions:ranking"]


def listed_slugs(client: Client, **params) -> list[str]:
    response = client.get(reverse("regions:overview"), params)
    assert response.status_code == 200
    return [row.team.slug for row in response.context["rows"]]


# --- Who sees what ---------------------------------------------------------------------------


def test_a_city_admin_sees_the_city_teams_and_not_another_city(personas):
    client = client_for(personas.region_admin)
    assert listed_slugs(client) == ["our-team"]
    assert client.get(reverse("regions:team", args=["other-team"])).status_code == 404
    compare = reverse("regions:compare")
    assert client.get(compare, {"team": ["our-team", "other-team"]}).status_code == 404
    ranking = client.get(reverse("regions:ranking"))
    ranked = [entry.row.team.slug for entry, _ in ranking.context["entries"]]
    assert "other-team" not in ranked + [row.team.slug for row in ranking.context["unranked"]]


def test_the_other_city_admin_sees_only_theirs(personas):
    client = client_for(personas.other_region_admin)
    assert listed_slugs(client) == ["other-team"]
    assert client.get(reverse("regions:team", args=["our-team"])).status_code == 404


def test_a_province_admin_sees_both_cities(personas, province_admin):
    client = client_for(province_admin)
    assert sorted(listed_slugs(client)) == ["other-team", "our-team"]
    for slug in ["our-team", "other-team"]:
        assert client.get(reverse("regions:team", args=[slug])).status_code == 200
    response = client.get(reverse("regions:compare"), {"team": ["our-team", "other-team"]})
    assert [row.team.slug for row in response.context["rows"]] == ["our-team", "other-team"]


def test_a_team_in_a_region_below_the_city_is_in_scope(personas):
    district = RegionFactory(name="桑珠孜区", parent=personas.region)
    TeamFactory(region=district, slug="district-team", name="区里的志愿服务队")
    assert sorted(listed_slugs(client_for(personas.region_admin))) == [
        "district-team",
        "our-team",
    ]


@pytest.mark.parametrize("persona", ["staff", "secretary", "volunteer", "no_role"])
def test_everyone_else_is_refused(personas, persona):
    client = client_for(getattr(personas, persona))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("regions:team", args=["our-team"])).status_code == 403


def test_a_superuser_without_a_region_is_refused(personas):
    client = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_anonymous_visitors_are_sent_to_log_in(personas):
    for url in [reverse(name) for name in PAGES] + [reverse("regions:team", args=["our-team"])]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_pages_are_read_only(personas):
    client = client_for(personas.region_admin)
    for url in [reverse(name) for name in PAGES] + [reverse("regions:team", args=["our-team"])]:
        assert client.post(url).status_code == 405, url


# --- The figures are the teams' own -----------------------------------------------------------


@pytest.fixture
def worked_team(personas):
    """Founded in January this year; 4 members; 3 approved activities this year, one draft."""
    team = TeamFactory(
        region=personas.region, slug="worked", name="核算队", founded_on=datetime.date(YEAR, 1, 1)
    )
    members = [MemberFactory(team=team, registered_on=datetime.date(YEAR, 1, 1)) for _ in range(4)]
    approved(team, datetime.date(YEAR, 1, 10), "3.0", members[:3])  # 3 × 3.0
    approved(team, datetime.date(YEAR, 1, 20), "2.5", members)  # 4 × 2.5
    approved(team, datetime.date(YEAR, 2, 5), "4.0", members[:1])  # 1 × 4.0
    ActivityFactory(team=team, start_date=datetime.date(YEAR, 1, 12), status=ActivityStatus.DRAFT)
    team_figures_recompute(team_id=team.pk)
    return team


def row_of(client: Client, slug: str, **params) -> OverviewRow:
    response = client.get(reverse("regions:overview"), params)
    return next(row for row in response.context["rows"] if row.team.slug == slug)


def test_overview_figures_are_the_teams_computed_figures(personas, worked_team):
    row = row_of(client_for(personas.region_admin), "worked")
    figures = TeamFigures.objects.get(team=worked_team, kind=PeriodKind.YEAR, year=YEAR)

    # By hand: 3 activities; person-hours 9.0 + 10.0 + 4.0 = 23.0; 4 volunteers; 23 / 4 = 5.75.
    assert row.texts["activities"] == "3" == str(figures.activities)
    assert row.texts["person_hours"] == "23.0" == str(figures.person_hours)
    assert row.texts["volunteers"] == "4" == str(figures.registered_volunteers)
    assert row.texts["hours_per_volunteer"] == str(figures.hours_per_volunteer)
    assert figures.hours_per_volunteer in (Decimal("5.8"), Decimal("5.7"))  # quantised as stored
    assert row.texts["last_activity"] == datetime.date(YEAR, 2, 5).isoformat()


def test_overview_figures_equal_the_profile_and_the_drill_down(personas, worked_team):
    """All the team's activities and members are in this year, so this year's figures are
    the profile's cumulative ones."""
    client = client_for(personas.region_admin)
    row = row_of(client, "worked")
    profile = client.get(reverse("profiles:profile", args=["worked"]))  # a preview for the admin
    assert profile.status_code == 200
    all_time = profile.context["figures"]
    assert row.figure("activities") == all_time.activities
    assert row.figure("person_hours") == all_time.person_hours
    assert row.figure("registered_volunteers") == all_time.registered_volunteers
    assert row.figure("hours_per_volunteer") == all_time.hours_per_volunteer

    team_page = client.get(reverse("regions:team", args=["worked"]))
    assert team_page.context["row"].texts == row.texts


def test_a_team_without_figures_shows_dashes_not_zeros(personas):
    row = row_of(client_for(personas.region_admin), "our-team")
    for key in ["volunteers", "activities", "person_hours", "hours_per_volunteer", "on_track"]:
        assert row.texts[key] == "—", key
    assert row.texts["months_met"] == "—"
    assert row.stale


def test_hours_per_volunteer_with_no_volunteers_is_a_dash(personas):
    year_row(personas.team, person_hours=Decimal("10.0"), registered_volunteers=0)
    assert row_of(client_for(personas.region_admin), "our-team").texts["hours_per_volunteer"] == "—"


def test_last_signed_off_month_of_the_chosen_year(personas):
    for year, month in [(2018, 11), (2019, 2), (2018, 12)]:
        MonthlyReview.objects.create(
            team=personas.team, year=year, month=month, signed_at=timezone.now()
        )
    year_row(personas.team, 2018)
    year_row(personas.team, 2019)
    client = client_for(personas.region_admin)
    row = row_of(client, "our-team", year=2018)
    assert row.last_review == (2018, 12)
    assert row.texts["last_review"] == "2018年12月"
    assert row_of(client, "our-team", year=2019).texts["last_review"] == "2019年2月"
    assert row_of(client, "our-team").texts["last_review"] == "—"  # none this year


# --- The rule columns agree with the monthly review -----------------------------------------


def _random_team(rng: random.Random, region, year: int, index: int) -> Team:
    founded = rng.choice(
        [datetime.date(year - 2, 5, 1), datetime.date(year, 1, 1), datetime.date(year, 4, 1)]
    )
    team = TeamFactory(
        region=region,
        founded_on=founded,
        min_activities_per_month=rng.choice([1, 2]),
        min_participations_per_member_year=rng.choice([10, 6, 12]),
        slug=f"random-{index}",
    )
    for month in range(1, 13):
        if rng.random() < 0.9:
            month_row(team, month, rng.choice([0, 1, 1, 2, 3]), year=year)
    year_row(team, year=year)
    return team


def _random_members(rng: random.Random, team: Team, year: int, as_of: int) -> None:
    def some_day(y: int) -> datetime.date:
        return datetime.date(y, rng.randint(1, 12), rng.randint(1, 28))

    for _ in range(rng.randint(0, 9)):
        registered = some_day(rng.choice([year - 1, year, year, year + 1]))
        left = None
        if rng.random() < 0.3:
            left = max(registered, some_day(rng.choice([year - 1, year, year])))
        member = MemberFactory(team=team, registered_on=registered, left_on=left)
        if rng.random() < 0.85:
            # Participations up to the "as of" month only: nothing later has happened yet.
            monthly = [rng.choice([0, 0, 1, 1, 2]) if m <= as_of else 0 for m in range(1, 13)]
            MemberYearFigures.objects.create(
                team=team,
                member=member,
                year=year,
                participations=sum(monthly),
                hours=Decimal("0"),
                monthly_participations=monthly,
                monthly_hours=["0"] * 12,
            )


@pytest.mark.parametrize(
    "today",
    [datetime.date(2019, 2, 1), datetime.date(2018, 9, 15), datetime.date(2018, 1, 20)],
    ids=["past-year", "september", "january"],
)
def test_rule_columns_agree_with_the_compliance_review(personas, today):
    year = 2018
    rng = random.Random(f"overview-{today}")
    region = RegionFactory(parent=personas.region)
    window = YearWindow.for_year(year, today)
    teams = [_random_team(rng, region, year, i) for i in range(8)]
    for team in teams:
        _random_members(rng, team, year, window.as_of_month)

    rows = {row.team.pk: row for row in overview_rows(teams_with_figures({region.pk}, window))}
    assert len(rows) == len(teams)
    for team in teams:
        row = rows[team.pk]
        standing = review_data.review_load(team, year, window.as_of_month, today=today)
        assert row.share_on_track == standing.share_on_track, team.slug
        assert row.members_listed == len(standing.members), team.slug
        if window.last_month_over:
            review = review_data.review_load(team, year, window.last_month_over, today=today)
            assert row.months_met == review.months_met, team.slug
            assert row.months_counted == len(review.months_so_far), team.slug
        else:
            assert row.months_counted == 0


# --- Filters, sorting, pages -----------------------------------------------------------------


def test_filter_by_region(personas, many):
    city = personas.region
    assert sorted(listed_slugs(many, region=city.pk)) == ["a-finance", "b-housing", "our-team"]
    assert len(listed_slugs(many, region=city.parent_id)) == 7
    # A region outside the admin's scope is ignored, not obeyed.
    elsewhere = RegionFactory(name="山南市")
    assert len(listed_slugs(many, region=elsewhere.pk)) == 7


def test_filter_by_host_unit_published_and_rule(many):
    assert listed_slugs(many, host_unit="教育") == ["d-edu"]
    unpublished = set(listed_slugs(many, published="no"))
    assert unpublished >= {"b-housing", "e-stats"}
    assert "a-finance" not in unpublished
    if TODAY.month > 1:  # in January no month of the year is over yet
        assert sorted(listed_slugs(many, compliance="met")) == ["a-finance", "c-gov", "d-edu"]
        assert sorted(listed_slugs(many, compliance="missed")) == ["b-housing", "e-stats"]


def test_sort_by_hours_per_volunteer(many):
    # 125/10 = 12.5, 20/8 = 2.5, 250/20 = 12.5, 50/4 = 12.5, 0 volunteers "—", no figures "—".
    highest_first = listed_slugs(many, sort="-hours_per_volunteer")
    assert highest_first[:4] == ["a-finance", "c-gov", "d-edu", "b-housing"]
    assert set(highest_first[4:]) == {"e-stats", "our-team", "other-team"}
    lowest_first = listed_slugs(many, sort="hours_per_volunteer")
    assert lowest_first[:4] == ["b-housing", "a-finance", "c-gov", "d-edu"]
    assert set(lowest_first[4:]) == {"e-stats", "our-team", "other-team"}


@pytest.mark.parametrize("key", COLUMN_KEYS)
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_every_column_sorts(many, key, descending):
    sort = f"-{key}" if descending else key
    response = many.get(reverse("regions:overview"), {"sort": sort})
    rows = response.context["rows"]
    values = [row.value(key) for row in rows]
    present = [value for value in values if value is not None and value != "—"]
    # Values first, in order; the "—" ones last.
    assert values[: len(present)] == present
    if key not in ("region", "months_met", "last_review", "published"):
        assert present == sorted(present, reverse=descending)
    link = response.context["headers"][COLUMN_KEYS.index(key)][1]
    assert link.direction == ("descending" if descending else "ascending")


def test_header_links_keep_the_filters(many):
    response = many.get(reverse("regions:overview"), {"host_unit": "局", "published": "yes"})
    query = dict(response.context["headers"])  # column → link
    link = next(link for column, link in query.items() if column.key == "hours_per_volunteer")
    assert "host_unit=%E5%B1%80" in link.query and "published=yes" in link.query
    assert "sort=-hours_per_volunteer" in link.query  # figures sort highest first


def test_pages_of_fifty(personas):
    for n in range(PAGE_SIZE + 7):
        TeamFactory(region=personas.region, slug=f"t{n:03d}", name=f"队{n:03d}")
    client = client_for(personas.region_admin)
    first = client.get(reverse("regions:overview"), {"sort": "name"})
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["page"].paginator.count == PAGE_SIZE + 8
    second = client.get(reverse("regions:overview"), {"sort": "name", "page": 2})
    assert len(second.context["rows"]) == 8
    assert not {r.team.pk for r in first.context["rows"]} & {
        r.team.pk for r in second.context["rows"]
    }


def test_year_choice(personas):
    year_row(personas.team, year=2018, activities=26)
    client = client_for(personas.region_admin)
    assert row_of(client, "our-team", year=2018).texts["activities"] == "26"
    # From the first year with figures to this one (teams have figures for every year
    # from their first on; here only 2018 has a row, the years between show "—").
    assert client.get(reverse("regions:overview")).context["years"] == list(range(YEAR, 2017, -1))
    # A year without figures falls back to this year.
    assert client.get(reverse("regions:overview"), {"year": 1999}).context["year"] == YEAR


# --- The drill-down ------------------------------------------------------------------------------


def test_team_page_shows_figures_months_reviews_and_activities(personas, worked_team):
    reviewer = UserFactory(username="sec", last_name="黄", first_name="晓梅")
    MonthlyReview.objects.create(
        team=worked_team, year=YEAR, month=1, signed_at=timezone.now(), signed_by=reviewer
    )
    client = client_for(personas.region_admin)
    response = client.get(reverse("regions:team", args=["worked"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("profiles:profile", args=["worked"]) in content
    assert "预览" in content  # the profile is not published
    activities = response.context["activities"]
    assert len(activities) == 3  # approved only, newest first
    assert activities[0].start_date == datetime.date(YEAR, 2, 5)
    for activity in activities:
        assert reverse("activities:detail", args=["worked", activity.pk]) in content
    assert [(r.year, r.month) for r in response.context["reviews"]] == [(YEAR, 1)]
    assert "黄晓梅" in content
    months = response.context["month_lines"]
    assert months[0].figures.activities == 2 and months[1].figures.activities == 1
    assert 'id="team-chart"' in content
    # The reviews page is linked once it exists; until then the list above stands alone.
    try:
        expected = reverse("compliance:reviews", args=["worked"])
    except Exception:
        expected = None
    assert response.context["reviews_url"] == expected


def test_the_time_shown_is_the_teams_last_recompute(personas, worked_team):
    """The figures rows carry no time of their own (a recompute rewrites only the rows
    that changed): the overview and the team page show the team's fill state."""
    when = datetime.datetime(YEAR, 1, 2, 3, 4, tzinfo=datetime.UTC)
    TeamFiguresState.objects.filter(team=worked_team).update(computed_at=when)
    shown = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    client = client_for(personas.region_admin)
    team_page = client.get(reverse("regions:team", args=["worked"])).content.decode()
    assert f"由系统计算于{shown}。" in team_page
    overview_page = client.get(reverse("regions:overview"))
    assert overview_page.context["computed_between"] == (when, when)
    assert f"最近计算于{shown}。" in overview_page.content.decode()


def test_team_page_needs_no_write_links(personas, worked_team):
    content = client_for(personas.region_admin).get(reverse("regions:team", args=["worked"]))
    text = content.content.decode()
    assert '<form method="post"' not in text.split('id="content"')[1]
    assert reverse("activities:create", args=["worked"]) not in text


def test_rule_columns_follow_each_change(personas, worked_team):
    """The months met and the members on track are read afresh on every request."""
    client = client_for(personas.region_admin)
    before = row_of(client, "worked")
    member = MemberFactory(team=worked_team, registered_on=datetime.date(YEAR, 1, 1))
    team_figures_recompute(team_id=worked_team.pk)
    assert row_of(client, "worked").members_listed == before.members_listed + 1
    approved(worked_team, datetime.date(YEAR, 1, 9), "3.0", [member])
    team_figures_recompute(team_id=worked_team.pk)
    after = row_of(client, "worked")
    assert after.members_listed == before.members_listed + 1
    assert after.last_activity_on == max(before.last_activity_on, datetime.date(YEAR, 1, 9))


def test_host_units_are_suggested_for_a_city_not_for_thousands_of_teams(personas, monkeypatch):
    from regions import query as region_query

    TeamFactory(region=personas.region, slug="x-unit", host_unit="市教育局")
    client = client_for(personas.region_admin)
    html = client.get(reverse("regions:overview")).content.decode()
    assert '<option value="市教育局">' in html
    monkeypatch.setattr(region_query, "SUGGESTED_TEAMS", 1)  # a scope larger than this
    html = client.get(reverse("regions:overview")).content.decode()
    assert '<option value="市教育局">' not in html
