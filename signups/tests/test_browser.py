"""By visible Chinese labels, on a phone-sized screen: a volunteer signs up, cancels, and
gets their calendar link."""

import pytest

from conftest import PASSWORD, log_in_browser
from planning.tests.factories import occurrence_of
from signups.models import CalendarFeed, SignUp
from signups.tests.factories import volunteer_of
from volunteer_site.tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_volunteer_signs_up_and_cancels_on_a_phone(live_server, page, personas):
    occurrence = occurrence_of(
        personas.team, title="火车站夜间巡逻", capacity=2, what_to_bring="手电筒、雨衣"
    )
    occurrence_of(personas.team, days_ahead=2, title="社区义诊", capacity=1)
    full = occurrence_of(personas.team, days_ahead=2, title="敬老院慰问", capacity=1)
    from signups import services

    services.sign_up(full, volunteer_of(personas.team))
    page.set_viewport_size(PHONE)
    base = live_server.url
    log_in_browser(page, base, "volunteer", PASSWORD)
    page.goto(f"{base}/me/")
    page.get_by_role("link", name="近期活动").click()
    card = page.locator(f"#occurrence-{occurrence.pk}")
    assert "还剩 2 个名额" in card.inner_text()
    assert "已满，候补 0 人" in page.locator(f"#occurrence-{full.pk}").inner_text()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-artifacts/signups-phone-before.png", full_page=True)
    assert_accessible(page)

    card.get_by_role("button", name="报名").click()
    assert "您已报名“火车站夜间巡逻”。" in page.inner_text("body")
    card = page.locator(f"#occurrence-{occurrence.pk}")
    assert "已报名" in card.inner_text() and "还剩 1 个名额" in card.inner_text()

    page.locator(f"#occurrence-{full.pk}").get_by_role("button", name="报名候补").click()
    assert "名额已满，您已进入候补，候补第1位。" in page.inner_text("body")
    assert "候补第1位" in page.locator(f"#occurrence-{full.pk}").inner_text()

    page.get_by_role("button", name="获取日历订阅链接").click()
    assert "日历订阅链接已生成。" in page.inner_text("body")
    token = CalendarFeed.objects.get(user=personas.volunteer).token
    assert page.get_by_label("日历订阅链接").input_value().endswith(f"/calendar/{token}.ics")
    page.screenshot(path="test-artifacts/signups-phone-after.png", full_page=True)
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#occurrence-{occurrence.pk}").get_by_role("button", name="取消报名").click()
    assert "已取消报名。" in page.inner_text("body")
    assert SignUp.objects.get(occurrence=occurrence).status == "cancelled"


def test_the_staff_list_is_accessible(live_server, page, personas):
    from signups import services

    occurrence = occurrence_of(personas.team, title="火车站夜间巡逻", capacity=1)
    for user in (volunteer_of(personas.team), volunteer_of(personas.team)):
        services.sign_up(occurrence, user)
    log_in_browser(page, live_server.url, "staff", PASSWORD)
    page.goto(f"{live_server.url}/teams/our-team/planned/")
    page.get_by_role("link", name="报名名单").click()
    assert "人数上限 1" in " ".join(page.locator("#signup-counts").inner_text().split())
    assert_accessible(page)
