"""The public team profile (/p/<slug>/), 纠错, and the secretary's profile pages.

The demo team's figures are asserted as worked out by hand from demo/team.py
(see ``DEMO_ALL_TIME``), not by re-running the statistics code.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus, PeriodKind, TeamFigures, TeamFiguresState
from activities.stats import team_figures_mark_stale, team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from conftest import client_for, text_of
from members.models import Member
from members.tests.factories import MemberFactory
from profiles import views as profile_views
from profiles.forms import sanitise_html
from profiles.views import chinese_numeral, regular_projects_sentence
from teams.models import ErrorReport, Team, TeamCategory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


def profile_url(team) -> str:
    return reverse("profiles:profile", args=[team.slug])


@pytest.fixture
def published(personas) -> Team:
    team = personas.team
    team.is_published = True
    team.published_on = datetime.date(2026, 3, 1)
    team.save()
    return team


# --- The demo team, as the reference shows it ----------------------------------------------


# --- Figures: from the summary tables only ---------------------------------------------------


def add_approved_activities(team, count: int) -> None:
    category = ServiceCategoryFactory(name="献爱心送温暖")
    approved_at = timezone.now()
    today = timezone.localdate()
    Activity.objects.bulk_create(
        [
            Activity(
                team=team,
                category=category,
                title=f"活动{n}",
                start_date=today - datetime.timedelta(days=n % 700),
                end_date=today - datetime.timedelta(days=n % 700),
                hours=Decimal("2.5"),
                status=ActivityStatus.APPROVED,
                approved_at=approved_at,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    team_figures_recompute(team_id=team.pk)


def profile_queries(team) -> int:
    client = client_for()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(profile_url(team))
    assert response.status_code == 200
    return len(queries)


def test_the_profile_costs_the_same_few_queries_for_10_and_10000_activities():
    small = TeamFactory(slug="small", is_published=True)
    large = TeamFactory(slug="large", is_published=True)
    for team in (small, large):
        MemberFactory.create_batch(3, team=team)
    add_approved_activities(small, 10)
    add_approved_activities(large, 10_000)
    assert TeamFigures.objects.get(team=large, kind=PeriodKind.ALL).activities == 10_000

    small_count = profile_queries(small)
    large_count = profile_queries(large)
    assert small_count == large_count
    assert large_count <= 8
    assert "累计开展志愿服务活动 10000 次，总时长 25000.0 小时" in text_of(
        client_for().get(profile_url(large))
    )


def test_no_members_and_no_activities_show_dashes(published):
    Member.objects.filter(team=published).delete()
    team_figures_recompute(team_id=published.pk)
    text = text_of(client_for().get(profile_url(published)))
    assert "注册志愿者人数：0人" in text
    assert "累计开展志愿服务活动 0 次，总时长 0.0 小时" in text
    assert "人均服务时数 —，人均参与次数 —；平均每次活动时长 —，平均每次参与人数 —" in text
    assert "数据更新于" in text


def test_figures_not_computed_yet(published):
    TeamFigures.objects.filter(team=published).delete()
    text = text_of(client_for().get(profile_url(published)))
    assert "注册志愿者人数：—" in text
    assert "累计开展志愿服务时数：—" in text
    assert "人均开展志愿服务时数：—" in text
    assert "数据尚未计算" in text
    assert "数据更新于" not in text


def test_update_time_is_shown_in_beijing_time_and_stale_figures_say_so(published):
    team_figures_recompute(team_id=published.pk)
    TeamFiguresState.objects.filter(team=published).update(
        computed_at=datetime.datetime(2026, 1, 1, 2, 30, tzinfo=datetime.UTC)
    )
    text = text_of(client_for().get(profile_url(published)))
    assert "数据更新于 2026-01-01 10:30" in text
    assert "数据正在更新" not in text
    # A change is noticed (the recompute waits for the commit, which a test never makes):
    # the stored page must not hide it.
    team_figures_mark_stale(team_id=published.pk)
    assert TeamFiguresState.objects.get(team=published).stale
    assert "数据正在更新" in text_of(client_for().get(profile_url(published)))


# --- Who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["profiles:profile", "profiles:report", "profiles:report_thanks"])
def test_an_unpublished_profile_is_hidden_from_the_public(personas, name):
    url = reverse(name, args=[personas.team.slug])
    assert not personas.team.is_published
    assert client_for().get(url).status_code == 404
    for outsider in ["no_role", "volunteer", "other_secretary", "other_region_admin"]:
        assert client_for(getattr(personas, outsider)).get(url).status_code == 404, outsider


@pytest.mark.parametrize("reader", ["secretary", "staff", "region_admin"])
def test_the_team_and_its_region_admins_preview_an_unpublished_profile(personas, reader):
    response = client_for(getattr(personas, reader)).get(profile_url(personas.team))
    assert response.status_code == 200
    assert "未公开（预览）" in text_of(response)


@pytest.mark.parametrize("name", ["profiles:profile", "profiles:report", "profiles:report_thanks"])
@pytest.mark.parametrize(
    "persona", [None, "no_role", "volunteer", "other_secretary", "secretary", "region_admin"]
)
def test_a_published_profile_is_public(published, personas, name, persona):
    user = getattr(personas, persona) if persona else None
    response = client_for(user).get(reverse(name, args=[published.slug]))
    assert response.status_code == 200
    assert "未公开（预览）" not in text_of(response)


def test_an_unknown_team_is_404():
    assert client_for().get("/p/no-such-team/").status_code == 404


# --- Main deeds are sanitised ----------------------------------------------------------------

DIRTY = (
    '<p onclick="steal()">真实事迹</p><script>alert("x")</script>'
    '<a href="javascript:alert(1)">坏链接</a> <a href="https://www.wenming.cn/">文明网</a>'
    '<img src="x" onerror="alert(2)"><style>body{display:none}</style>'
    '<h3 style="color:red">标题</h3><iframe src="https://evil.example"></iframe>'
)


def test_main_deeds_are_sanitised_on_display(published):
    # Written directly, as the admin or an import could: the page still cleans it.
    Team.objects.filter(pk=published.pk).update(main_deeds=DIRTY)
    html = client_for().get(profile_url(published)).content.decode()
    deeds = html[html.index('class="main-deeds"') : html.index('id="chart-heading"')]
    assert "<p>真实事迹</p>" in deeds
    assert "<h3>标题</h3>" in deeds
    assert (
        '<a href="https://www.wenming.cn/" rel="noopener noreferrer nofollow">文明网</a>' in deeds
    )
    for bad in ["onclick", "steal()", "<script", "alert", "javascript:", "onerror", "<img",
                "<style", "display:none", "style=", "<iframe", "evil.example"]:  # fmt: skip
        assert bad not in deeds, bad


def test_sanitiser_keeps_the_allowed_formatting():
    html = (
        "<p>段<br>落</p><strong>粗</strong><em>斜</em><b>b</b><i>i</i><u>u</u>"
        "<h3>三</h3><h4>四</h4><ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引</blockquote>"
    )
    assert sanitise_html(html) == html
    assert sanitise_html("<h1>大标题</h1><table><tr><td>格</td></tr></table>") == "大标题格"
    assert sanitise_html("") == ""


# --- 纠错 ---------------------------------------------------------------------------------------


def report_url(team) -> str:
    return reverse("profiles:report", args=[team.slug])


def test_an_error_report_is_stored_without_the_ip(published):
    client = client_for()
    assert "纠错" in text_of(client.get(report_url(published)))
    response = client.post(
        report_url(published),
        {"description": "成立时间应为2016年4月。", "contact": "王先生 13800000000", "website": ""},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:report_thanks", args=[published.slug])
    report = ErrorReport.objects.get()
    assert report.team == published
    assert report.description == "成立时间应为2016年4月。"
    assert report.contact == "王先生 13800000000"
    assert report.resolved_at is None
    assert re.fullmatch(r"[0-9a-f]{64}", report.ip_hash)
    assert report.ip_hash == profile_views.ip_hash("203.0.113.7")
    assert report.ip_hash != profile_views.ip_hash("203.0.113.8")
    assert "203.0.113.7" not in str(ErrorReport.objects.values().get())
    assert "感谢" in text_of(client.get(response["Location"]))


def test_the_ip_hash_depends_on_the_secret_key(settings):
    before = profile_views.ip_hash("203.0.113.7")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert profile_views.ip_hash("203.0.113.7") != before


def test_description_is_required_and_limited(published):
    client = client_for()
    response = client.post(report_url(published), {"description": "", "contact": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in text_of(response) or "必填" in text_of(response)
    response = client.post(report_url(published), {"description": "错" * 2001})
    assert response.status_code == 200
    response = client.post(report_url(published), {"description": "错", "contact": "1" * 101})
    assert response.status_code == 200
    assert not ErrorReport.objects.exists()


def test_the_database_refuses_an_empty_or_too_long_report(published, personas):
    for description in ["", "错" * 2001]:
        with pytest.raises(IntegrityError), transaction.atomic():
            ErrorReport.objects.create(team=published, description=description, ip_hash="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ErrorReport.objects.create(
            team=published, description="错", ip_hash="a" * 64, resolved_by=personas.secretary
        )
    ErrorReport.objects.create(team=published, description="错" * 2000, ip_hash="a" * 64)


def test_the_sixth_report_within_an_hour_is_refused(published, personas):
    client = client_for()
    for n in range(5):
        response = client.post(report_url(published), {"description": f"第{n + 1}处错误"})
        assert response.status_code == 302, n
    response = client.post(report_url(published), {"description": "第6处错误"})
    assert response.status_code == 429
    assert "一小时" in text_of(response)
    assert "第6处错误" in response.content.decode()  # the text is kept for later
    assert ErrorReport.objects.count() == 5
    # Counted per address, not per team and not for everybody.
    other = client_for().post(
        report_url(published), {"description": "另一个地址"}, REMOTE_ADDR="198.51.100.1"
    )
    assert other.status_code == 302
    assert ErrorReport.objects.count() == 6


def test_the_limit_is_counted_from_the_stored_reports(published):
    """Every process sees the same count (no shared cache needed), and an hour later
    the address may report again."""

    client = client_for()
    for n in range(5):
        assert client.post(report_url(published), {"description": f"错{n}"}).status_code == 302
    cache.clear()  # another process's (empty) cache
    assert client.post(report_url(published), {"description": "错5"}).status_code == 429
    ErrorReport.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert client.post(report_url(published), {"description": "错6"}).status_code == 302


def test_the_honeypot_pretends_success_and_saves_nothing(published):
    response = client_for().post(
        report_url(published), {"description": "买便宜药", "website": "http://spam.example"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:report_thanks", args=[published.slug])
    assert not ErrorReport.objects.exists()


def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(published):
    html = client_for().get(report_url(published)).content.decode()
    assert re.search(r'class="hp-field"[^>]*aria-hidden="true"', html)
    assert 'name="website"' in html
    assert "style=" not in html


def test_the_report_form_is_csrf_protected(published):
    client = Client(enforce_csrf_checks=True)
    response = client.post(report_url(published), {"description": "错别字"})
    assert response.status_code == 403
    assert not ErrorReport.objects.exists()


def test_the_secretary_sees_and_resolves_reports(published, personas):
    old = ErrorReport.objects.create(team=published, description="旧的", ip_hash="a" * 64)
    ErrorReport.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now(), resolved_by=personas.secretary, resolution_note="已改"
    )
    client_for().post(report_url(published), {"description": "注册人数不对", "contact": "李"})
    ErrorReport.objects.create(team=personas.other_team, description="别队的", ip_hash="b" * 64)
    report = ErrorReport.objects.get(description="注册人数不对")

    secretary = client_for(personas.secretary)
    home = secretary.get(reverse("dashboard:team", args=[published.slug])).content.decode()
    links = home[home.index('id="profile-links"') :]
    links = links[: links.index("</div>")]
    assert reverse("profiles:reports", args=[published.slug]) in links
    assert reverse("profiles:profile", args=[published.slug]) in links
    assert re.search(r"text-bg-danger[^>]*>1</span>", links)

    page = text_of(secretary.get(reverse("profiles:reports", args=[published.slug])))
    assert "注册人数不对" in page and "别队的" not in page
    assert page.index("注册人数不对") < page.index("旧的")  # unresolved first

    url = reverse("profiles:report_resolve", args=[published.slug, report.pk])
    response = secretary.post(url, {"note": "已按最新数据更正"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved_by == personas.secretary
    assert report.resolved_at is not None
    assert report.resolution_note == "已按最新数据更正"
    # Resolving twice changes nothing.
    first = report.resolved_at
    secretary.post(url, {"note": "又一次"})
    report.refresh_from_db()
    assert (report.resolved_at, report.resolution_note) == (first, "已按最新数据更正")


def test_only_the_secretary_handles_reports(published, personas):
    report = ErrorReport.objects.create(team=published, description="错", ip_hash="a" * 64)
    list_url = reverse("profiles:reports", args=[published.slug])
    resolve_url = reverse("profiles:report_resolve", args=[published.slug, report.pk])
    for persona, status in [("staff", 403), ("region_admin", 403), ("other_secretary", 404)]:
        client = client_for(getattr(personas, persona))
        assert client.get(list_url).status_code == status, persona
        assert client.post(resolve_url, {"note": "x"}).status_code == status, persona
    report.refresh_from_db()
    assert not report.is_resolved
    # Another team's secretary cannot resolve it through their own team's address.
    other = reverse("profiles:report_resolve", args=[personas.other_team.slug, report.pk])
    assert client_for(personas.other_secretary).post(other).status_code == 404


# --- The secretary edits and publishes the profile ----------------------------------------


def edit_data(**overrides) -> dict:
    data = {
        "name": "我们的志愿服务队",
        "founded_year": "2016",
        "founded_month": "3",
        "host_unit": "日喀则市人民政府办公室",
        "lead_member": "",
        "lead_name": "次仁多吉",
        "lead_title": "办公室副主任",
        "lead_consents_to_publication": "on",
        "recommending_unit": "日喀则市文明办",
        "main_deeds": '<p onclick="x()">认真做事</p><script>alert(1)</script>',
        "publication_source": "日喀则文明网",
        "responsible_editor": "王编辑",
        "published_on": "2026-03-01",
    }
    data.update(overrides)
    return data


def test_the_secretary_edits_the_profile_and_the_text_is_sanitised_on_save(personas):
    url = reverse("profiles:edit", args=[personas.team.slug])
    client = client_for(personas.secretary)
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data())
    assert response.status_code == 302
    team = Team.objects.get(pk=personas.team.pk)
    assert team.lead_name == "次仁多吉"
    assert team.lead_consents_to_publication
    assert team.main_deeds == "<p>认真做事</p>"
    assert team.recommending_unit == "日喀则市文明办"
    assert team.published_on == datetime.date(2026, 3, 1)
    assert not team.is_published  # editing does not publish
    preview = text_of(client.get(profile_url(team)))
    assert "项目负责人：次仁多吉（办公室副主任）" in preview


def test_a_member_chosen_as_lead_replaces_a_typed_name(personas):
    lead = MemberFactory(team=personas.team, name="格桑卓玛")
    outsider = MemberFactory(team=personas.other_team)
    url = reverse("profiles:edit", args=[personas.team.slug])
    client = client_for(personas.secretary)
    assert client.post(url, edit_data(lead_member=outsider.pk)).status_code == 200  # not ours
    assert client.post(url, edit_data(lead_member=lead.pk)).status_code == 302
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.lead_member, team.lead_name, team.lead_display_name) == (lead, "", "格桑卓玛")


def test_only_the_secretary_edits_or_publishes(personas):
    for name, method in [("profiles:edit", "get"), ("profiles:publish", "post")]:
        url = reverse(name, args=[personas.team.slug])
        for persona, status in [("staff", 403), ("region_admin", 403), ("other_secretary", 404)]:
            client = client_for(getattr(personas, persona))
            assert getattr(client, method)(url).status_code == status, (name, persona)
    assert not Team.objects.get(pk=personas.team.pk).is_published


def test_publishing_dates_the_first_publication_and_withdrawing_hides_it(personas):
    team = personas.team
    url = reverse("profiles:publish", args=[team.slug])
    client = client_for(personas.secretary)
    assert client.post(url, {"action": "publish"}).status_code == 302
    team.refresh_from_db()
    assert team.is_published
    assert team.published_on == timezone.localdate()
    assert client_for().get(profile_url(team)).status_code == 200

    assert client.post(url, {"action": "unpublish"}).status_code == 302
    team.refresh_from_db()
    assert not team.is_published
    assert team.published_on == timezone.localdate()  # kept for the next publication
    assert client_for().get(profile_url(team)).status_code == 404

    Team.objects.filter(pk=team.pk).update(published_on=datetime.date(2018, 11, 28))
    client.post(url, {"action": "publish"})
    team.refresh_from_db()
    assert team.published_on == datetime.date(2018, 11, 28)  # an existing date is kept


def test_publish_needs_a_valid_action(personas):
    url = reverse("profiles:publish", args=[personas.team.slug])
    client = client_for(personas.secretary)
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not Team.objects.get(pk=personas.team.pk).is_published
    assert client.get(url).status_code == 405


# --- Wording -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "一"), (7, "七"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (99, "九十九")],
)
def test_chinese_numerals(number, text):
    assert chinese_numeral(number) == text


def test_regular_projects_sentence():
    names = ["献爱心送温暖", "特殊日大型志愿活动", "维稳志愿服务"]
    assert regular_projects_sentence(names, language="zh-hans") == (
        "一是开展献爱心送温暖活动。二是开展特殊日大型志愿活动。三是开展维稳志愿服务活动。"
    )
    assert regular_projects_sentence(names, language="en") == (
        "(1) 献爱心送温暖; (2) 特殊日大型志愿活动; (3) 维稳志愿服务"
    )
    assert regular_projects_sentence([], language="zh-hans") == ""


def test_projects_follow_the_teams_order(published):
    for position, name in enumerate(["扶贫帮困", "科教文卫"]):
        TeamCategory.objects.create(
            team=published, category=ServiceCategoryFactory(name=name), position=1 - position
        )
    text = text_of(client_for().get(profile_url(published)))
    assert "一是开展科教文卫活动。二是开展扶贫帮困活动。" in text


def test_registered_now_and_what_the_per_volunteer_figures_divide_by(published):
    """Three members since 2020, one of whom left on 30 June 2025; one activity of 2024
    with two of them for 3 hours each. Registered now: 2 (the profile's headcount);
    registered at any time since founding: 3, which the per-volunteer figures divide
    by: 6.0 person-hours / 3 = 2.0 hours, 2 participations / 3 = 0.7 times."""
    Member.objects.filter(team=published).delete()
    since = datetime.date(2020, 1, 1)
    first, second = (MemberFactory(team=published, registered_on=since) for _ in range(2))
    MemberFactory(team=published, registered_on=since, left_on=datetime.date(2025, 6, 30))
    activity = ActivityFactory(
        team=published,
        start_date=datetime.date(2024, 5, 4),
        hours=Decimal("3.0"),
        status=ActivityStatus.APPROVED,
        approved_at=timezone.now(),
    )
    for member in (first, second):
        ParticipationFactory(activity=activity, member=member, hours=Decimal("3.0"))
    team_figures_recompute(team_id=published.pk)
    text = text_of(client_for().get(profile_url(published)))
    assert "现有注册志愿者人数：2人" in text
    assert "人均服务时数 2.0 小时，人均参与次数 0.7 次" in text
    assert "人均数按成立以来累计注册的3名志愿者计算" in text
