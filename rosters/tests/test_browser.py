"""By visible Chinese labels, on a phone: the volunteer sees their duty and asks to swap;
the secretary approves; the week's roster on a phone and on a desktop."""

from __future__ import annotations

import datetime
import pathlib

import pytest
from django.utils import timezone

from conftest import PASSWORD, log_in_browser
from rosters import services
from rosters.models import SwapRequest, SwapStatus
from rosters.tests.factories import four_groups, member_with_login, next_monday, patrol
from signups.models import SignUp, SignUpStatus
from signups.services import assign
from volunteer_site.tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_volunteer_asks_to_swap_on_a_phone_and_the_secretary_approves(
    live_server, page, personas
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    planned = patrol(personas.team, first=tomorrow, days=2, capacity=4)
    mine, theirs = planned.occurrences.order_by("date")
    dawa = member_with_login(personas.team, name="达瓦")
    assign(mine, personas.volunteer, by=None)
    assign(theirs, dawa.user, by=None)

    page.set_viewport_size({"width": 390, "height": 844})
    log_in_browser(page, live_server.url, "volunteer", PASSWORD)
    page.goto(f"{live_server.url}/me/roster/")
    duty = page.locator(f"#duty-{mine.pk}")
    assert "我的班" in duty.inner_text()
    assert "我的班" not in page.locator(f"#duty-{theirs.pk}").inner_text()
    fits_the_phone(page)
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "my-roster-390.png"), full_page=True)

    duty.get_by_role("link", name="申请换班").click()
    page.get_by_label("换班对象").select_option(label="达瓦")
    page.get_by_label("对方用来交换的班次（选填）").select_option(
        label=f"{theirs.date:%Y-%m-%d} 20:00–24:00"
    )
    fits_the_phone(page)
    page.get_by_role("button", name="提交申请").click()
    assert "换班申请已提交给服务队秘书。" in page.inner_text("body")
    assert "待秘书审批" in page.inner_text("body")

    secretary = page.context.browser.new_context(locale="zh-CN")
    other = secretary.new_page()
    log_in_browser(other, live_server.url, "secretary", PASSWORD)
    other.goto(f"{live_server.url}/teams/our-team/")
    other.get_by_role("link", name="换班申请").click()
    assert other.locator("#pending-count").inner_text() == "1"
    assert_accessible(other)
    other.get_by_role("button", name="批准").click()
    assert "换班已批准，排班已更新。" in other.inner_text("body")
    secretary.close()

    assert SwapRequest.objects.get().status == SwapStatus.APPROVED
    confirmed = SignUp.objects.filter(status=SignUpStatus.CONFIRMED)
    assert set(confirmed.values_list("occurrence_id", "user_id")) == {
        (mine.pk, dawa.user_id),
        (theirs.pk, personas.volunteer.pk),
    }


def test_the_week_rotated_on_a_phone_and_printed(live_server, page, personas):
    monday = next_monday()
    planned = patrol(personas.team, first=monday, days=7, capacity=3)
    four_groups(personas.team, size=2)
    log_in_browser(page, live_server.url, "secretary", PASSWORD)
    page.goto(f"{live_server.url}/teams/our-team/planned/")
    page.locator("#roster-links").get_by_role("link", name=planned.title).click()
    page.get_by_role("link", name="下一周").click()
    year, number, _day = monday.isocalendar()
    assert f"{year}年第{number}周" in page.locator("#roster-week-range").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="按组轮换").click()
    assert "按组轮换：7天已安排小组。" in page.inner_text("body")
    groups = page.locator("#roster tbody td.day-group").all_inner_texts()
    assert [text.split()[0] for text in groups] == [
        "第一组",
        "第二组",
        "第三组",
        "第四组",
        "第一组",
        "第二组",
        "第三组",
    ]
    # 3 places − 2 members of the group on duty = 1 free, every day.
    assert page.locator("#roster tbody td.day-free").all_inner_texts() == ["1"] * 7
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "roster-week-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "roster-week-390.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "roster-week-print.png"), full_page=True)
    assert not page.locator("#rotate-form").is_visible()
    # Rotating again (the page's button pressed twice) changes nothing.
    again = services.groups_rotate(planned=planned, monday=monday, weeks=1, by=personas.secretary)
    assert again == 0


def test_the_secretary_makes_a_group_on_a_phone(live_server, page, personas):
    from members.tests.factories import MemberFactory

    for name in ("扎西", "卓玛", "次仁"):
        MemberFactory(team=personas.team, name=name)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_browser(page, live_server.url, "secretary", PASSWORD)
    page.goto(f"{live_server.url}/teams/our-team/groups/")
    assert "本队还没有值班小组。" in page.inner_text("body")
    page.get_by_label("组名").fill("第一组")
    page.get_by_role("button", name="添加小组").click()
    assert "已创建小组“第一组”。" in page.inner_text("body")
    page.get_by_label("扎西").check()
    page.get_by_label("卓玛").check()
    fits_the_phone(page)
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "group-form-390.png"), full_page=True)
    page.get_by_role("button", name="保存小组").click()
    assert "已保存小组“第一组”。" in page.inner_text("body")
    assert "扎西、卓玛" in page.locator("section").first.inner_text()
    fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "groups-390.png"), full_page=True)
