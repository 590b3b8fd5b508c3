"""Issue 17's whole journey, by visible Chinese labels on a phone (390 px): staff publish a
nightly patrol, two volunteers sign up, one checks in and out with the code, the other is
marked by hand, the sheet becomes the draft record, it is submitted and approved, and the
public profile's figures move.

The nights are tomorrow and after: the test moves the site's clock (``timezone.now``, read
by the live server and by the tasks, which run in this process) to the evening of the
patrol, to its end and to the next morning.
"""

from __future__ import annotations

import datetime
import pathlib
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import ActivityStatus
from activities.stats import team_figures_recompute
from attendance.models import Attendance, CheckInCode
from conftest import PASSWORD, log_in_browser
from planning.models import Occurrence
from signups.models import SignUp
from signups.tests.factories import volunteer_of
from teams.tests.factories import ServiceCategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = pathlib.Path("test-artifacts")


class Clock:
    """The site's clock, moved to a moment of the test's choosing."""

    def __init__(self, monkeypatch):
        self._real = timezone.now
        self._offset = datetime.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real() + self._offset)

    def move_to(self, moment: datetime.datetime) -> None:
        self._offset = moment - self._real()


@pytest.fixture
def tasks_run(request, settings):
    """The figures are recomputed in a task: in-process on the embedded default, by a real
    worker when a broker is configured."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        request.getfixturevalue("celery_worker")


def as_user(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    log_in_browser(page, base, username, PASSWORD)


def service_totals(page, base: str) -> str:
    page.context.clear_cookies()
    page.goto(f"{base}/p/our-team/")
    return page.inner_text("#service-totals")


def test_a_nightly_patrol_from_publishing_to_the_profile(
    live_server, page, personas, monkeypatch, tasks_run
):
    team = personas.team
    team.is_published = True
    team.save()
    ServiceCategoryFactory(team=team, name="火车站巡逻")
    zhuoma = volunteer_of(team, name="卓玛")
    team_figures_recompute(team_id=team.pk)
    clock = Clock(monkeypatch)
    zone = timezone.get_default_timezone()
    night = timezone.localdate() + datetime.timedelta(days=1)

    def at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)

    base = live_server.url
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(exist_ok=True)
    assert "累计开展志愿服务活动 0 次" in service_totals(page, base)

    # 录入员 publishes a patrol every night 20:00–24:00 for a week, two places a night.
    as_user(page, base, "staff")
    page.goto(f"{base}/teams/our-team/planned/")
    page.get_by_role("link", name="发布计划活动").click()
    page.get_by_label("活动名称").fill("火车站夜间巡逻")
    page.get_by_label("服务类别").select_option(label="火车站巡逻")
    page.get_by_label("地点").fill("日喀则火车站")
    page.get_by_label("人数上限").fill("2")
    page.get_by_label("日期（重复活动填首次日期）").fill(night.isoformat())
    page.get_by_label("开始时间").fill("20:00")
    page.get_by_label("结束时间").fill("00:00")
    page.get_by_label("每天").check()
    page.get_by_label("重复截止日期").fill((night + datetime.timedelta(days=6)).isoformat())
    page.get_by_role("button", name="发布", exact=True).click()
    assert "计划活动已发布。" in page.inner_text("body")
    assert Occurrence.objects.filter(status="scheduled").count() == 7
    occurrence = Occurrence.objects.get(date=night)

    # Two volunteers sign up on their phones.
    for username in ("volunteer", zhuoma.username):
        as_user(page, base, username)
        page.goto(f"{base}/me/")
        page.get_by_role("link", name="近期活动").click()
        card = page.locator(f"#occurrence-{occurrence.pk}")
        card.get_by_role("button", name="报名").click()
        assert "您已报名“火车站夜间巡逻”。" in page.inner_text("body")
    assert "已满，候补 0 人" in page.locator(f"#occurrence-{occurrence.pk}").inner_text()
    page.screenshot(path=str(SHOTS / "journey-signed-up.png"), full_page=True)
    assert SignUp.objects.filter(occurrence=occurrence, status="confirmed").count() == 2

    # 19:50 on the night: the organiser opens the sheet and shows the code.
    clock.move_to(at(night, 19, 50))
    as_user(page, base, "staff")
    page.goto(f"{base}/teams/our-team/planned/")
    page.locator(f"#occurrence-{occurrence.pk}").get_by_role("link", name="签到与考勤").click()
    page.wait_for_selector(".checkin-code")
    code = CheckInCode.objects.get(occurrence=occurrence).code
    assert code in page.inner_text(".checkin-code")

    # The first volunteer scans its QR code, which opens the page with the code filled in…
    as_user(page, base, "volunteer")
    page.goto(f"{base}/me/check-in/?code={code}")
    assert page.get_by_label("签到码").input_value() == code
    page.get_by_role("button", name="签到 / 签退").click()
    assert "已签到" in page.inner_text("#checkin-result")
    page.screenshot(path=str(SHOTS / "journey-checked-in.png"), full_page=True)

    # …and checks out at 23:55, typing the code: four hours idle is past the usual
    # 30-minute session, but a volunteer checked in stays signed in until check-out closes.
    clock.move_to(at(night, 23, 55))
    page.goto(f"{base}/me/check-in/")
    assert "/accounts/login/" not in page.url
    page.get_by_label("签到码").fill(code)
    page.get_by_role("button", name="签到 / 签退").click()
    assert "已签退" in page.inner_text("#checkin-result")
    attended = Attendance.objects.get(occurrence=occurrence, user=personas.volunteer)
    assert timezone.localtime(attended.checked_in_at).strftime("%H:%M") == "19:50"
    assert timezone.localtime(attended.checked_out_at).strftime("%H:%M") == "23:55"

    # The next morning the organiser marks 卓玛 (her phone was flat) by hand, 3.5 hours,
    # and makes the draft record from the sheet.
    clock.move_to(at(night + datetime.timedelta(days=1), 9, 0))
    as_user(page, base, "staff")
    page.goto(f"{base}/teams/our-team/planned/")
    page.locator(f"#recent-{occurrence.pk}").get_by_role("link", name="签到与考勤").click()
    mark = page.locator("#mark-form")
    mark.get_by_label("志愿者").select_option(label="卓玛")
    mark.get_by_label("时长").fill("3.5")
    mark.get_by_role("button", name="标记到场").click()
    assert "报名：2 · 到场：2 · 缺席：0" in page.inner_text("#sheet-counts")
    page.screenshot(path=str(SHOTS / "journey-sheet.png"), full_page=True)
    page.get_by_role("button", name="生成活动记录草稿").click()
    page.wait_for_url(re.compile(r".*/activities/\d+/$"))
    occurrence.refresh_from_db()
    activity = occurrence.activity
    assert activity.status == ActivityStatus.DRAFT
    # 19:50–23:55 is 4 h 05 min: the nearest half hour is 4.0 (the cap is 4.0 too).
    hours = {p.member.name: p.hours for p in activity.participations.select_related("member")}
    assert hours == {personas.volunteer_member.name: Decimal("4.0"), "卓玛": Decimal("3.5")}
    page.get_by_role("button", name="提交审核").click()
    assert "已提交审核" in page.inner_text("body")

    # 秘书 approves it; the public profile counts one more activity.
    as_user(page, base, "secretary")
    page.goto(f"{base}{activity.get_absolute_url()}")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_selector("#timeline")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED
    for _ in range(30):  # a worker may take a moment to recompute the figures
        totals = service_totals(page, base)
        if "0 次" not in totals:
            break
        page.wait_for_timeout(500)
    assert "累计开展志愿服务活动 1 次，总时长 4.0 小时" in totals
    page.screenshot(path=str(SHOTS / "journey-profile.png"), full_page=True)
