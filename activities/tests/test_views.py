"""Logging, listing and approving activities through the pages."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Participation
from activities.tests.factories import ActivityFactory, ParticipationFactory, create_url
from activities.tests.factories import activity_form_data as form_data
from conftest import client_for
from members.models import CadreRank
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(personas):
    return [
        MemberFactory(
            team=personas.team, name=f"队员{i:02d}", registered_on=datetime.date(2016, 3, 1)
        )
        for i in range(5)
    ]


def page_of(response) -> str:
    return response.content.decode()


# --- Logging -----------------------------------------------------------------------------


def test_staff_logs_a_draft_with_default_and_individual_hours(personas, category, members):
    data = form_data(category, members, save="")
    data[f"hours_{members[0].pk}"] = "2.5"
    response = client_for(personas.staff).post(create_url(personas), data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.status == ActivityStatus.DRAFT
    assert activity.created_by == personas.staff
    hours = dict(activity.participations.values_list("member_id", "hours"))
    assert hours[members[0].pk] == Decimal("2.5")
    assert all(hours[m.pk] == Decimal("4") for m in members[1:])


def test_staff_submits_directly(personas, category, members):
    response = client_for(personas.staff).post(
        create_url(personas), form_data(category, members, submit="")
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.is_late is True  # 2018 is long past


def assert_refused(response, message: str) -> str:
    assert response.status_code == 200
    page = page_of(response)
    assert message in page, re.findall(r'id="form-errors".*?</div>', page, re.S)
    assert not Activity.objects.exists()
    assert not Participation.objects.exists()
    return page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2018-10-16"}, "结束日期不能早于开始日期。"),
        ({"hours": "0"}, "服务时长必须大于零。"),
        ({"hours": "-2"}, "服务时长必须大于零。"),
        ({"hours": "25"}, "服务时长不能超过活动天数×24小时。"),
        ({"hours": "abc"}, "服务时长：“abc”不是有效的小时数"),
        ({"title": ""}, "这个字段是必填项。"),
    ],
)
def test_bad_activity_values_are_explained_and_kept(
    personas, category, members, overrides, message
):
    data = form_data(category, members, save="", **overrides)
    page = assert_refused(client_for(personas.staff).post(create_url(personas), data), message)
    # Everything typed is still there, the participant selection included.
    assert 'value="桑珠孜区"' in page
    assert "为老人打扫卫生、送去慰问品" in page
    for member in members:
        assert re.search(rf'name="participant" value="{member.pk}"[^>]*checked', page)


def test_three_days_allow_up_to_72_hours(personas, category, members):
    data = form_data(category, members, save="", end_date="2018-10-19", hours="72")
    response = client_for(personas.staff).post(create_url(personas), data)
    assert response.status_code == 302
    saved = Activity.objects.get()
    assert (saved.hours, saved.days) == (Decimal("72"), 3)
    assert response["Location"] == saved.get_absolute_url()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("4.5", "队员00：4.5 小时超过了活动时长 4 小时。"),
        ("0", "队员00：参与者的服务时长必须大于零。"),
        ("-1", "队员00：参与者的服务时长必须大于零。"),
        ("两小时", "队员00：“两小时”不是有效的小时数"),
    ],
)
def test_bad_participant_hours_are_explained_and_kept(personas, category, members, hours, message):
    data = form_data(category, members, save="")
    data[f"hours_{members[0].pk}"] = hours
    page = assert_refused(client_for(personas.staff).post(create_url(personas), data), message)
    assert f'name="hours_{members[0].pk}" value="{hours}"' in page


def test_future_activity_cannot_be_submitted_but_can_be_planned(personas, category, members):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    client = client_for(personas.staff)
    data = form_data(category, members, submit="", start_date=future, end_date=future)
    assert_refused(client.post(create_url(personas), data), "只有已开展的活动才能提交")
    data = form_data(category, members, save="", start_date=future, end_date=future)
    assert client.post(create_url(personas), data).status_code == 302
    planned = Activity.objects.get()
    assert (planned.status, planned.start_date.isoformat()) == (ActivityStatus.DRAFT, future)


def test_member_who_had_left_is_refused(personas, category, members):
    gone = MemberFactory(
        team=personas.team,
        name="老队员",
        registered_on=datetime.date(2016, 3, 1),
        left_on=datetime.date(2018, 6, 30),
    )
    # Someone already on an activity may appear in the picker after leaving;
    # post their id as the picker would.
    data = form_data(category, [*members, gone], save="")
    response = client_for(personas.staff).post(create_url(personas), data)
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_member_not_yet_registered_is_refused(personas, category, members):
    newcomer = MemberFactory(
        team=personas.team, name="新队员", registered_on=datetime.date(2019, 1, 1)
    )
    data = form_data(category, [*members, newcomer], save="")
    assert_refused(
        client_for(personas.staff).post(create_url(personas), data),
        "新队员 于 2019-01-01 注册，晚于活动开始日期 2018-10-17。",
    )


def test_left_member_on_an_existing_activity_is_refused_with_a_message(personas, category):
    member = MemberFactory(
        team=personas.team, name="离队队员", registered_on=datetime.date(2016, 1, 1)
    )
    participation = ParticipationFactory(
        activity__team=personas.team, activity__category=category, member=member
    )
    member.left_on = datetime.date(2018, 5, 10)  # the activity's day: their last
    member.save()
    activity = participation.activity
    data = form_data(category, [member], save="", start_date="2018-05-11", end_date="2018-05-11")
    response = client_for(personas.staff).post(
        reverse("activities:update", args=[personas.team.slug, activity.pk]), data
    )
    assert "离队队员 已于 2018-05-10 离队，早于活动开始日期 2018-05-11。" in page_of(response)


def test_no_participants_on_submit(personas, category):
    data = form_data(category, [], submit="")
    assert_refused(
        client_for(personas.staff).post(create_url(personas), data),
        "提交前请至少选择一名参与队员。",
    )


def test_likely_duplicate_asks_for_confirmation(personas, category, members):
    ActivityFactory(
        team=personas.team,
        category=category,
        title="重阳节走访慰问孤寡老人活动",
        start_date=datetime.date(2018, 10, 17),
    )
    client = client_for(personas.staff)
    response = client.post(create_url(personas), form_data(category, members, save=""))
    assert response.status_code == 200
    assert "同一天已登记了名称相近的活动" in page_of(response)
    assert Activity.objects.count() == 1
    confirmed = form_data(category, members, save="", confirm_duplicate="on")
    assert client.post(create_url(personas), confirmed).status_code == 302
    assert Activity.objects.count() == 2


def test_different_title_on_the_same_day_is_not_a_duplicate(personas, category, members):
    ActivityFactory(
        team=personas.team, title="火车站志愿服务", start_date=datetime.date(2018, 10, 17)
    )
    response = client_for(personas.staff).post(
        create_url(personas), form_data(category, members, save="")
    )
    assert response.status_code == 302
    assert set(Activity.objects.values_list("title", flat=True)) == {
        "火车站志愿服务",
        "重阳节走访慰问孤寡老人",
    }


def test_editing_keeps_history_and_approved_is_read_only(personas, category, members):
    client = client_for(personas.staff)
    client.post(create_url(personas), form_data(category, members, submit=""))
    activity = Activity.objects.get()
    edit = reverse("activities:update", args=[personas.team.slug, activity.pk])
    data = form_data(category, members[:3], save="", title="重阳节慰问老人（修订）")
    assert client.post(edit, data).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "重阳节慰问老人（修订）"
    assert activity.participations.count() == 3
    approve(client_for(personas.secretary), activity)
    response = client.post(edit, form_data(category, members, save="", title="再改"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "重阳节慰问老人（修订）"


# --- Approval -----------------------------------------------------------------------------


def approve(client, activity):
    """Approve as the detail page's button does: with the version the page shows."""
    page = page_of(client.get(activity.get_absolute_url()))
    version = re.search(r'name="version" value="([^"]*)"', page).group(1)
    return client.post(
        reverse("activities:approve", args=[activity.team.slug, activity.pk]),
        {"version": version},
    )


def submitted_activity(personas, **kwargs):
    participation = ParticipationFactory(
        activity__team=personas.team,
        activity__status=ActivityStatus.SUBMITTED,
        member__team=personas.team,
        **kwargs,
    )
    return participation.activity


def test_secretary_approves_one(personas):
    activity = submitted_activity(personas)
    response = approve(client_for(personas.secretary), activity)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED
    assert activity.approved_by == personas.secretary


def test_secretary_returns_with_a_reason_the_staff_see(personas):
    activity = submitted_activity(personas)
    url = reverse("activities:return", args=[personas.team.slug, activity.pk])
    client_for(personas.secretary).post(url, {"reason": ""})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED
    client_for(personas.secretary).post(url, {"reason": "请补充受益群众人数"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.RETURNED
    page = page_of(client_for(personas.staff).get(activity.get_absolute_url()))
    assert "请补充受益群众人数" in page


def test_secretary_approves_many_and_returns_many(personas):
    first, second, third = (submitted_activity(personas) for _ in range(3))
    bulk = reverse("activities:bulk", args=[personas.team.slug])
    client = client_for(personas.secretary)
    awaiting = page_of(client.get(reverse("activities:awaiting", args=[personas.team.slug])))
    versions = dict(re.findall(r'name="version_(\d+)" value="([^"]*)"', awaiting))
    client.post(
        bulk,
        {"action": "approve", "activity": [first.pk, second.pk]}
        | {f"version_{pk}": versions[str(pk)] for pk in (first.pk, second.pk)},
    )
    client.post(bulk, {"action": "return", "activity": [third.pk], "reason": "日期有误"})
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: ActivityStatus.APPROVED,
        second.pk: ActivityStatus.APPROVED,
        third.pk: ActivityStatus.RETURNED,
    }


def test_secretary_reopens_with_a_reason(personas):
    activity = submitted_activity(personas)
    client = client_for(personas.secretary)
    approve(client, activity)
    client.post(
        reverse("activities:reopen", args=[personas.team.slug, activity.pk]), {"reason": "人数有误"}
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.RETURNED
    assert activity.approved_at is None


def test_awaiting_view_lists_only_submitted(personas):
    waiting = submitted_activity(personas)
    ActivityFactory(team=personas.team, title="草稿活动")
    page = page_of(
        client_for(personas.secretary).get(
            reverse("activities:awaiting", args=[personas.team.slug])
        )
    )
    assert waiting.title in page
    assert "草稿活动" not in page


def test_history_shows_who_did_what(personas, category, members):
    client_for(personas.staff).post(create_url(personas), form_data(category, members, submit=""))
    activity = Activity.objects.get()
    approve(client_for(personas.secretary), activity)
    page = page_of(client_for(personas.staff).get(activity.get_absolute_url()))
    timeline = page[page.index('id="timeline"') :]
    assert "审核通过" in timeline
    assert "登记活动并提交审核" in timeline
    assert "添加参与者（5）" in timeline


# --- Lists and filters ----------------------------------------------------------------------


def test_list_filters(personas, category):
    ActivityFactory(
        team=personas.team, title="一月活动", start_date=datetime.date(2018, 1, 5), place="吉隆县"
    )
    ActivityFactory(
        team=personas.team, title="二月活动", start_date=datetime.date(2018, 2, 5), is_late=True
    )
    ActivityFactory(
        team=personas.other_team, title="别队活动", start_date=datetime.date(2018, 1, 5)
    )
    client = client_for(personas.staff)
    url = reverse("activities:list", args=[personas.team.slug])

    def titles(**params):
        page = page_of(client.get(url, params))
        return {t for t in ("一月活动", "二月活动", "别队活动") if t in page}

    assert titles() == {"一月活动", "二月活动"}
    assert titles(month="2018-01") == {"一月活动"}
    assert titles(late="yes") == {"二月活动"}
    assert titles(q="吉隆") == {"一月活动"}
    assert titles(status="approved") == set()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_and_form_queries_do_not_grow_with_rows(personas):
    client = client_for(personas.staff)
    list_url = reverse("activities:list", args=[personas.team.slug])
    form_url = create_url(personas)

    def grow_to(n):
        have = personas.team.members.count()
        MemberFactory.create_batch(n - have, team=personas.team)
        for _ in range(n // 10):
            ParticipationFactory(activity__team=personas.team, member__team=personas.team)

    grow_to(10)
    small = (count_queries(client, list_url), count_queries(client, form_url))
    grow_to(200)
    large = (count_queries(client, list_url), count_queries(client, form_url))
    assert small == large


def test_saving_120_participants_uses_bulk_inserts(personas, category):
    members = MemberFactory.create_batch(120, team=personas.team, cadre_rank=CadreRank.GENERAL)
    client = client_for(personas.staff)
    client.get(create_url(personas))  # warm the session
    with CaptureQueriesContext(connection) as context:
        response = client.post(create_url(personas), form_data(category, members, submit=""))
    assert response.status_code == 302
    assert Participation.objects.count() == 120
    inserts = [q for q in context.captured_queries if q["sql"].startswith("INSERT")]
    # The activity, its history row, one bulk insert of participations and one of their history.
    assert len(inserts) <= 6, [q["sql"][:80] for q in inserts]
    assert len(context.captured_queries) < 40
