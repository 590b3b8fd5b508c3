"""The monthly review pages: figures, filters, sign-off, changes after sign-off, queries.

The data is the ``review_year`` fixture (compliance/tests/conftest.py), October 2026.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    ActivityStatus,
    MonthlyReview,
    Participation,
    TeamFiguresState,
)
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from compliance.standing import MemberStatus
from compliance.tests.conftest import MONTH, YEAR
from conftest import client_for
from members.models import Member
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def review_url(team, name="compliance:review", year=YEAR, month=MONTH) -> str:
    return reverse(name, kwargs={"slug": team.slug, "year": year, "month": month})


def sign(personas, comment="十月已核对", year=YEAR, month=MONTH):
    client = client_for(personas.secretary)
    page = client.get(review_url(personas.team, year=year, month=month))
    fingerprint = page.context["sign_form"].initial["fingerprint"]
    return client.post(
        review_url(personas.team, "compliance:review_sign", year, month),
        {"comment": comment, "fingerprint": fingerprint},
    )


# --- The page ---------------------------------------------------------------------------


def test_the_review_follows_the_figures_and_the_members(personas, review_year):
    """A new approved activity shows once the team's figures are recomputed, and a
    renamed member at once: the page reads the summary tables on every request."""
    client = client_for(personas.secretary)
    assert not TeamFiguresState.objects.get(team=personas.team).stale
    assert client.get(review_url(personas.team)).context["shown"].review_month.activities == 1
    member = Member.objects.get(team=personas.team, name="一般丙")
    activity = ActivityFactory(
        team=personas.team,
        start_date=datetime.date(YEAR, MONTH, 20),
        hours=Decimal("1.5"),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=activity, member=member, hours=Decimal("1.5"))
    team_figures_recompute(team_id=personas.team.pk)
    shown = client.get(review_url(personas.team)).context["shown"]
    assert shown.review_month.activities == 2
    assert next(r for r in shown.members if r.member_id == member.pk).ytd_count == 4
    member.name = "一般丁"
    member.save()
    names = {r.name for r in client.get(review_url(personas.team)).context["rows"]}
    assert "一般丁" in names and "一般丙" not in names


def test_review_page_shows_the_hand_worked_figures(personas, review_year):
    response = client_for(personas.region_admin).get(review_url(personas.team))
    assert response.status_code == 200
    shown = response.context["shown"]
    october = shown.review_month
    assert (october.activities, october.activity_hours) == (1, Decimal("2.0"))
    assert (october.participant_times, october.person_hours) == (1, Decimal("2.0"))
    assert shown.share_on_track_display == "50.0%"
    assert shown.months_met_display == "10 / 10"
    rows = response.context["rows"]
    # Behind first: 落后 (3), 未参加 (0), 进度正常 (8), 已达标 (10).
    assert [(r.name, r.ytd_count, r.target, r.status) for r in rows] == [
        ("一般丙", 3, 10, MemberStatus.BEHIND),
        ("志愿者甲", 0, 10, MemberStatus.NONE),
        ("科级乙", 8, 10, MemberStatus.ON_TRACK),
        ("县级甲", 10, 10, MemberStatus.MET),
    ]
    html = response.content.decode()
    assert 'class="heat heat-1"' in html
    assert "style=" not in html.split('id="content"')[1]  # no inline styles (CSP)
    assert "<script>" not in html  # no inline scripts
    # A region admin reads but cannot sign.
    assert response.context["sign_form"] is None


def test_filters_by_status_and_rank_and_sorts(personas, review_year):
    client = client_for(personas.staff)
    behind = client.get(review_url(personas.team), {"status": "behind"})
    assert [r.name for r in behind.context["rows"]] == ["一般丙"]
    general = client.get(review_url(personas.team), {"rank": "general"})
    assert [r.name for r in general.context["rows"]] == ["一般丙", "志愿者甲"]
    most = client.get(review_url(personas.team), {"sort": "most"})
    assert [r.ytd_count for r in most.context["rows"]] == [10, 8, 3, 0]
    # Unknown values are ignored, not an error.
    odd = client.get(review_url(personas.team), {"sort": "pk; drop", "status": "x"})
    assert odd.status_code == 200
    assert [r.name for r in odd.context["rows"]][0] == "一般丙"


def test_default_is_last_month_in_shanghai_time(personas, monkeypatch):
    # 2026-11-30 16:30 UTC is 1 December 00:30 in Shanghai: last month is November.
    instant = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    response = client_for(personas.staff).get(
        reverse("compliance:review_default", kwargs={"slug": personas.team.slug})
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(personas.team, year=2026, month=11)


@pytest.mark.parametrize(("year", "month"), [(2026, 13), (2015, 6), (2999, 1)])
def test_months_that_cannot_be_reviewed_are_not_found(personas, year, month):
    url = f"/teams/{personas.team.slug}/reviews/{year}/{month}/"
    assert client_for(personas.secretary).get(url).status_code == 404


def test_print_page_has_no_navigation(personas, review_year):
    response = client_for(personas.staff).get(review_url(personas.team, "compliance:review_print"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "site-nav" not in html
    assert "data-print" in html
    assert "县级甲" in html


# --- Sign-off ---------------------------------------------------------------------------


def test_secretary_signs_off_and_the_figures_are_frozen(personas, review_year):
    response = sign(personas)
    assert response.status_code == 302
    review = MonthlyReview.objects.get(team=personas.team, year=YEAR, month=MONTH)
    assert review.signed_by == personas.secretary
    assert review.comment == "十月已核对"
    assert not review.changed_after_signoff
    snapshot = review.snapshot
    october = snapshot["months"][MONTH - 1]
    assert (october["activities"], october["activity_hours"]) == (1, "2.0")
    assert {m["name"]: (m["ytd_count"], m["target"], m["status"]) for m in snapshot["members"]} == {
        "县级甲": (10, 10, "met"),
        "科级乙": (8, 10, "on_track"),
        "一般丙": (3, 10, "behind"),
        "志愿者甲": (0, 10, "none"),
    }
    # Later data does not change what is shown for the signed month …
    late = ActivityFactory(
        team=personas.team,
        start_date=datetime.date(YEAR, 9, 20),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    ParticipationFactory(activity=late, member=review_year.behind)
    team_figures_recompute(team_id=personas.team.pk)
    page = client_for(personas.staff).get(review_url(personas.team))
    rows = {r.name: r for r in page.context["rows"]}
    assert rows["一般丙"].ytd_count == 3  # as signed
    assert page.context["live"].members[0].ytd_count == 4  # as now
    # … but the page says the data moved on, and shows the current figures.
    assert page.context["changed_since"]
    changed = page.context["differences"]["members"]
    assert [(d["before"].ytd_count, d["now"].ytd_count) for d in changed] == [(3, 4)]


def test_sign_off_refuses_figures_that_changed_since_the_page_was_opened(personas, review_year):
    client = client_for(personas.secretary)
    page = client.get(review_url(personas.team))
    fingerprint = page.context["sign_form"].initial["fingerprint"]
    ParticipationFactory(activity=review_year.activities[-1], member=review_year.behind)
    team_figures_recompute(team_id=personas.team.pk)
    response = client.post(
        review_url(personas.team, "compliance:review_sign"),
        {"comment": "", "fingerprint": fingerprint},
        follow=True,
    )
    assert not MonthlyReview.objects.exists()
    assert "已变化" in response.content.decode() or "changed since" in response.content.decode()


def test_the_current_month_cannot_be_signed_off(personas):
    today = timezone.localdate()
    client = client_for(personas.secretary)
    page = client.get(review_url(personas.team, year=today.year, month=today.month))
    assert page.status_code == 200
    assert page.context["sign_form"] is None
    client.post(
        review_url(personas.team, "compliance:review_sign", today.year, today.month),
        {"comment": "", "fingerprint": page.context["live"].fingerprint},
    )
    assert not MonthlyReview.objects.exists()


def test_stale_figures_are_recomputed_before_signing(personas, review_year):
    client = client_for(personas.secretary)
    page = client.get(review_url(personas.team))
    fingerprint = page.context["sign_form"].initial["fingerprint"]
    # A change whose recompute never ran (in tests, on-commit hooks do not run):
    Member.objects.filter(pk=review_year.none.pk).update(left_on=datetime.date(2026, 9, 30))
    TeamFiguresState.objects.filter(team=personas.team).update(stale=True)
    client.post(
        review_url(personas.team, "compliance:review_sign"),
        {"comment": "", "fingerprint": fingerprint},
    )
    # The recomputed figures differ from the page's (志愿者甲 now has 9 months,
    # target 8): nothing signed.
    assert not MonthlyReview.objects.exists()


# --- Changed after sign-off -------------------------------------------------------------


def changes(team) -> list[str]:
    review = MonthlyReview.objects.get(team=team, year=YEAR, month=MONTH)
    return [change["what"] for change in review.changes] if review.changed_after_signoff else []


def test_reopening_an_activity_of_a_signed_month_marks_the_review(personas, review_year):
    sign(personas)
    october = review_year.activities[-1]
    services.activity_reopen(activity=october, by=personas.secretary, reason="人数有误")
    review = MonthlyReview.objects.get()
    assert review.changed_after_signoff
    (entry,) = review.changes
    assert entry["what"] == "活动《10月志愿服务》被重新打开"
    assert entry["activity_id"] == october.pk
    assert datetime.datetime.fromisoformat(entry["at"]).utcoffset() == datetime.timedelta(hours=8)

    # Corrected and approved again: a second entry.
    october.refresh_from_db()
    services.activity_submit(activity=october, by=personas.staff)
    services.activity_approve(activity=october, by=personas.secretary)
    assert changes(personas.team) == [
        "活动《10月志愿服务》被重新打开",
        "活动《10月志愿服务》审核通过",
    ]

    # The page lists the changes and offers to sign again; signing clears the mark
    # and the earlier signature stays in the history.
    page = client_for(personas.secretary).get(review_url(personas.team))
    assert page.context["changed_since"]
    assert len(page.context["changes"]) == 2
    assert page.context["sign_form"] is not None
    sign(personas, comment="重新核对")
    review.refresh_from_db()
    assert not review.changed_after_signoff
    assert review.changes == []
    assert review.comment == "重新核对"
    assert [h.comment for h in review.history.order_by("history_date")] == [
        "十月已核对",
        "重新核对",
    ]


def test_changes_that_count_are_noted_once(personas, review_year):
    sign(personas)
    october = Activity.objects.get(pk=review_year.activities[-1].pk)
    # Two participants added in one go (as the admin saves them): one entry.
    ParticipationFactory(activity=october, member=review_year.section)
    ParticipationFactory(activity=october, member=review_year.behind)
    assert changes(personas.team) == ["活动《10月志愿服务》参与人员变更"]
    # The hours changed on the approved activity (in the admin): "changed".
    october.hours = Decimal("3.0")
    october.save()
    # Saved again with nothing that counts changed: no entry.
    october.content = "补充了说明"
    october.save()
    assert changes(personas.team)[-1] == "活动《10月志愿服务》被修改"
    assert len(changes(personas.team)) == 2
    # Deleted: its participants go too, then the activity; one entry, not one more for
    # its participants (activities.signals.deleted_with_its_activity).
    october.delete()
    assert changes(personas.team)[2:] == ["活动《10月志愿服务》被删除"]


def test_changes_to_other_months_and_unapproved_activities_are_not_noted(personas, review_year):
    sign(personas)
    september = review_year.activities[8]
    september.hours = Decimal("3.0")
    september.save()  # September is not signed off
    draft = ActivityFactory(team=personas.team, start_date=datetime.date(YEAR, MONTH, 20))
    ParticipationFactory(activity=draft, member=review_year.county)  # a draft does not count
    draft.delete()
    assert not MonthlyReview.objects.get().changed_after_signoff


def test_moving_an_approved_activity_out_of_a_signed_month_is_noted(personas, review_year):
    sign(personas)
    october = Activity.objects.get(pk=review_year.activities[-1].pk)
    october.start_date = october.end_date = datetime.date(YEAR, 9, 28)
    october.save()
    assert changes(personas.team) == ["活动《10月志愿服务》被修改"]


# --- The list -----------------------------------------------------------------------------


def test_review_list_shows_signed_and_recent_unsigned_months(personas, review_year):
    sign(personas)
    services.activity_reopen(
        activity=review_year.activities[-1], by=personas.secretary, reason="有误"
    )
    response = client_for(personas.staff).get(
        reverse("compliance:reviews", kwargs={"slug": personas.team.slug})
    )
    assert response.status_code == 200
    (review,) = response.context["reviews"]
    assert (review.year, review.month, review.activities) == (YEAR, MONTH, 1)
    html = response.content.decode()
    assert "badge text-bg-warning" in html  # changed after sign-off
    unsigned = [(m["year"], m["month"]) for m in response.context["unsigned"]]
    assert (YEAR, MONTH) not in unsigned
    assert len(unsigned) == 11  # the last 12 months that are over, less the signed one


# --- Queries ------------------------------------------------------------------------------


def _team_of(personas, size: int) -> None:
    """``size`` members (the volunteer persona included), two October activities with all."""
    team = personas.team
    start = Member.objects.filter(team=team).count()
    Member.objects.bulk_create(
        [
            Member(
                team=team,
                volunteer_number=f"Q{n:05d}",
                name=f"队员{n}",
                gender="male",
                registered_on=datetime.date(2016, 3, 1),
            )
            for n in range(start, size)
        ]
    )
    members = list(Member.objects.filter(team=team))
    for day in (5, 19):
        activity, _ = Activity.objects.get_or_create(
            team=team,
            title=f"十月{day}日",
            defaults={
                "category": ServiceCategoryFactory(name="科教文卫"),
                "start_date": datetime.date(YEAR, MONTH, day),
                "end_date": datetime.date(YEAR, MONTH, day),
                "hours": Decimal("2"),
                "status": ActivityStatus.APPROVED,
                "approved_at": timezone.now(),
            },
        )
        have = set(activity.participations.values_list("member_id", flat=True))
        Participation.objects.bulk_create(
            [
                Participation(activity=activity, member=m, hours=Decimal("2"))
                for m in members
                if m.pk not in have
            ]
        )
    team_figures_recompute(team_id=team.pk)


def _queries(client, url) -> int:
    cache.clear()  # counted cold: the review's data is kept in the cache between recomputes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name", ["compliance:review", "compliance:review_export", "compliance:review_print"]
)
def test_query_count_is_the_same_for_10_and_300_members(personas, name):
    client = client_for(personas.secretary)
    url = review_url(personas.team, name)
    _team_of(personas, 10)
    small = _queries(client, url)
    _team_of(personas, 300)
    large = _queries(client, url)
    assert small == large, f"{small} queries for 10 members, {large} for 300"
    # The page's first rendering also reads its kept content's key (the team's figures
    # state, the signed review, the page-version counters): 16 then, 9 once kept.
    assert small <= 16


def test_query_count_of_a_signed_review_is_constant_too(personas):
    _team_of(personas, 10)
    sign(personas)
    client = client_for(personas.secretary)
    small = _queries(client, review_url(personas.team))
    _team_of(personas, 300)
    large = _queries(client, review_url(personas.team))
    assert small == large


def test_review_list_query_count_does_not_grow_with_the_reviews(personas):
    client = client_for(personas.secretary)
    url = reverse("compliance:reviews", kwargs={"slug": personas.team.slug})
    sign(personas, year=2026, month=1)
    one = _queries(client, url)
    for month in range(2, 8):
        sign(personas, year=2026, month=month)
    seven = _queries(client, url)
    assert one == seven


def test_a_member_leaving_during_the_year_marks_the_signed_months(personas, review_year):
    """一般丙 left on 15 September: registered January–September instead of all year, so
    their target (10 → ceil(10 × 9 / 12) = 8) and October's listing change."""
    sign(personas)
    member = review_year.behind
    member.left_on = datetime.date(YEAR, 9, 15)
    member.save()
    assert changes(personas.team) == ["队员“一般丙”的注册日期有变动"]
    (entry,) = MonthlyReview.objects.get().changes
    assert entry["member_id"] == member.pk
    # Saved again with the same dates (a new phone number): no second entry.
    member.phone = "13800000000"
    member.save()
    assert len(changes(personas.team)) == 1


def test_a_member_joining_after_a_signed_month_leaves_it_alone(personas, review_year):
    """Registered on 5 November: not in October's review, nothing changes there."""
    sign(personas)
    MemberFactory(team=personas.team, name="新队员", registered_on=datetime.date(YEAR, 11, 5))
    assert changes(personas.team) == []
    # Registered in October instead: October lists them now.
    MemberFactory(team=personas.team, name="十月队员", registered_on=datetime.date(YEAR, 10, 5))
    assert changes(personas.team) == ["队员“十月队员”的注册日期有变动"]


def test_a_registration_date_changed_by_the_roster_import_marks_the_review(personas, review_year):
    from members.signals import members_imported

    sign(personas)
    member = review_year.section
    members_imported.send(
        sender=Member,
        team_id=personas.team.pk,
        changes=[
            (
                member.pk,
                member.name,
                (member.registered_on, None),
                (datetime.date(YEAR, 6, 1), None),
            )
        ],
    )
    assert changes(personas.team) == ["队员“科级乙”的注册日期有变动"]


def test_the_current_month_is_in_progress_not_missed(personas, review_year, monkeypatch):
    """On 3 December with no activity yet, December's badge says 进行中, not 本月未达标;
    a month is judged only once it has ended."""
    instant = datetime.datetime(YEAR, 12, 3, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: instant)
    response = client_for(personas.secretary).get(review_url(personas.team, year=YEAR, month=12))
    assert response.status_code == 200
    html = response.content.decode()
    badge = html.split('id="month-badge"')[1].split("</span>")[0]
    assert "本月进行中" in badge
    assert "本月未达标" not in html
    november = client_for(personas.secretary).get(review_url(personas.team, year=YEAR, month=11))
    assert "本月未达标" in november.content.decode().split('id="month-badge"')[1][:80]


def test_months_before_the_team_was_founded_cannot_be_reviewed_or_signed(personas):
    team = personas.team
    team.founded_on = datetime.date(2026, 3, 1)
    team.save()
    client = client_for(personas.secretary)
    assert client.get(review_url(team, year=2026, month=2)).status_code == 404
    response = client.post(
        review_url(team, "compliance:review_sign", 2026, 2), {"comment": "", "fingerprint": "x"}
    )
    assert response.status_code == 404
    assert not MonthlyReview.objects.exists()
    # March, the founding month, is the first one; it has no "previous" link.
    march = client.get(review_url(team, year=2026, month=3))
    assert march.status_code == 200
    assert march.context["previous"] is None


def test_the_sign_off_service_refuses_a_month_before_founding(personas):
    from compliance.reviews import ReviewError, review_sign

    team = personas.team
    team.founded_on = datetime.date(2026, 3, 1)
    team.save()
    with pytest.raises(ReviewError, match="成立前|before the team was founded"):
        review_sign(
            team=team,
            year=2026,
            month=2,
            by=personas.secretary,
            comment="",
            fingerprint="x",
            today=datetime.date(2026, 12, 3),
        )
