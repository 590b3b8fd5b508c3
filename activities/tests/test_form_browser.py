"""The activity form's behaviour in a real browser (Chromium through Playwright)."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session

from activities.models import Activity
from conftest import PASSWORD
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))


def test_members_not_registered_on_the_start_date_are_marked_as_it_is_typed(
    live_server, page, personas
):
    team = personas.team
    newcomer = MemberFactory(team=team, name="新队员", registered_on=datetime.date(2018, 12, 1))
    veteran = MemberFactory(team=team, name="老队员", registered_on=datetime.date(2016, 3, 1))
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/teams/{team.slug}/activities/new/")
    newcomer_box = page.locator(f"#p{newcomer.pk}")
    newcomer_note = page.locator(f"tr[data-member='{newcomer.pk}'] .unavailable")
    assert newcomer_box.is_enabled()
    assert not newcomer_note.is_visible()

    page.fill("#id_start_date", "2018-11-30")
    assert newcomer_box.is_disabled()
    assert newcomer_note.inner_text() == "注册于 2018-12-01"
    assert page.locator(f"#p{veteran.pk}").is_enabled()
    # "Select all shown" passes over the member who cannot be chosen.
    page.click("[data-select='visible']")
    assert not newcomer_box.is_checked()
    assert page.locator(f"#p{veteran.pk}").is_checked()
    page.locator("#participants").screenshot(path="test-artifacts/picker-registration.png")

    page.fill("#id_start_date", "2018-12-01")
    assert newcomer_box.is_enabled()
    assert not newcomer_note.is_visible()


def test_a_form_saved_after_the_session_expired_comes_back_after_logging_in(
    live_server, page, personas
):
    team = personas.team
    ServiceCategoryFactory(name="扶贫帮困")
    people = [
        MemberFactory(team=team, name=f"队员{i}", registered_on=datetime.date(2016, 3, 1))
        for i in range(3)
    ]
    base = live_server.url
    log_in(page, base, "staff")
    page.goto(f"{base}/teams/{team.slug}/activities/new/")
    page.select_option("#id_category", label="扶贫帮困")
    page.fill("#id_title", "走访慰问困难群众")
    page.fill("#id_start_date", "2018-10-17")
    page.fill("#id_end_date", "2018-10-17")
    page.fill("#id_hours", "3")
    page.fill("#id_place", "桑珠孜区")
    page.check(f"#p{people[0].pk}")
    page.check(f"#p{people[2].pk}")
    page.fill(f"input[name='hours_{people[2].pk}']", "1.5")

    Session.objects.all().delete()  # the idle timeout ends the session
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert page.inner_text("#session-expired").startswith("会话已超时，请重新登录")
    page.screenshot(path="test-artifacts/session-expired-login.png")
    assert not Activity.objects.exists()

    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/activities/new/\?draft=.*"))
    assert "已恢复您超时前填写的内容，请检查后保存" in page.inner_text(".messages")
    assert page.input_value("#id_title") == "走访慰问困难群众"
    assert page.input_value("#id_place") == "桑珠孜区"
    assert page.is_checked(f"#p{people[0].pk}") and page.is_checked(f"#p{people[2].pk}")
    assert not page.is_checked(f"#p{people[1].pk}")
    assert page.input_value(f"input[name='hours_{people[2].pk}']") == "1.5"
    assert page.inner_text("#selected-count") == "2"
    page.screenshot(path="test-artifacts/draft-restored.png", full_page=False)
    assert not Activity.objects.exists()

    page.click("button[name=save]")
    page.wait_for_url(re.compile(r".*/activities/\d+/$"))
    activity = Activity.objects.get()
    assert activity.title == "走访慰问困难群众"
    hours = dict(activity.participations.values_list("member_id", "hours"))
    assert {k: str(v) for k, v in hours.items()} == {people[0].pk: "3.0", people[2].pk: "1.5"}
