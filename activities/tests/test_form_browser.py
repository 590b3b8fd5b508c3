"""The activity form's behaviour in a real browser (Chromium through Playwright)."""

import datetime
import re

import pytest

from conftest import PASSWORD
from members.tests.factories import MemberFactory

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
