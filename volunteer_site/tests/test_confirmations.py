"""static/js/site.js in a real browser: 签署 and 批量审核通过 ask first, and a changed form
warns before the page is left (data-confirm, data-warn-unsaved)."""

import re

import pytest

from activities.models import Activity, ActivityStatus, MonthlyReview
from conftest import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from demo.team import demo_load
    from demo.team_data import TEAM_SLUG

    demo_load()
    return TEAM_SLUG


class Dialogs:
    """Answers each dialog as told, and keeps (type, message) of every one shown."""

    def __init__(self, page, *, accept: bool):
        self.accept = accept
        self.shown: list[tuple[str, str]] = []
        page.on("dialog", self._answer)

    def _answer(self, dialog) -> None:
        self.shown.append((dialog.type, dialog.message))
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


def test_signing_off_a_month_asks_first(live_server, page, demo):
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    page.goto(f"{live_server.url}/teams/{demo}/reviews/current/")
    title = page.inner_text("#review-title")
    page.get_by_label("审核意见").fill("已核对。")
    sign = page.locator("#sign-form").get_by_role("button")

    dialogs = Dialogs(page, accept=False)
    sign.click()
    page.wait_for_timeout(500)  # a sent form would be on its way by now
    assert len(dialogs.shown) == 1
    kind, message = dialogs.shown[0]
    assert kind == "confirm"
    month = title.split()[0]  # "2026年11月"
    assert message == f"确定签署{month}的月度审核吗？签署后，当前数据将以您的名义存档。"
    assert not MonthlyReview.objects.exists()
    assert page.get_by_label("审核意见").input_value() == "已核对。"  # nothing typed is lost

    dialogs.accept = True
    sign.click()
    page.wait_for_selector(".messages .alert-success")
    assert len(dialogs.shown) == 2
    review = MonthlyReview.objects.get()
    assert review.comment == "已核对。"
    assert review.signed_by.username == "secretary"


def test_approving_the_ticked_activities_asks_first(live_server, page, demo):
    submitted = Activity.objects.get(status=ActivityStatus.SUBMITTED)
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    page.goto(f"{live_server.url}/teams/{demo}/activities/awaiting/")
    page.get_by_label("全选").check()
    approve = page.get_by_role("button", name="审核通过所勾选的活动")

    dialogs = Dialogs(page, accept=False)
    approve.click()
    page.wait_for_timeout(500)
    assert dialogs.shown == [
        ("confirm", "确定批准所有勾选的活动吗？批准后其服务时长立即计入服务队统计。")
    ]
    submitted.refresh_from_db()
    assert submitted.status == ActivityStatus.SUBMITTED

    # 退回 asks nothing (it needs a reason, and is undone by submitting again).
    dialogs.accept = True
    approve.click()
    page.wait_for_selector(".messages .alert-success")
    submitted.refresh_from_db()
    assert submitted.status == ActivityStatus.APPROVED
    assert len(dialogs.shown) == 2


def test_leaving_a_changed_activity_form_warns_and_an_unchanged_one_does_not(
    live_server, page, demo
):
    log_in_browser(page, live_server.url, "staff", "demo-staff-2018")
    new = f"{live_server.url}/teams/{demo}/activities/new/"
    listing = re.compile(rf".*/teams/{demo}/activities/$")
    dialogs = Dialogs(page, accept=False)

    # Unchanged (a field typed into and cleared again is unchanged): no question.
    page.goto(new)
    page.get_by_label("活动名称").fill("入户宣讲")
    page.get_by_label("活动名称").fill("")
    page.get_by_role("link", name="取消").click()
    page.wait_for_url(listing)
    assert dialogs.shown == []

    # Changed: the browser asks; staying keeps what was typed.
    page.goto(new)
    page.get_by_label("活动名称").fill("入户宣讲惠民政策")
    page.get_by_role("link", name="取消").click()
    page.wait_for_timeout(500)
    assert [kind for kind, _ in dialogs.shown] == ["beforeunload"]
    assert re.search(r"/activities/new/$", page.url)
    assert page.get_by_label("活动名称").input_value() == "入户宣讲惠民政策"

    # A participant chosen by the picker's buttons (a script, no typing) is a change too.
    dialogs.accept = True  # leaving the changed form again: this time leave
    page.goto(new)
    dialogs.shown.clear()
    dialogs.accept = False
    page.get_by_role("button", name="全选县级").click()
    page.get_by_role("link", name="取消").click()
    page.wait_for_timeout(500)
    assert [kind for kind, _ in dialogs.shown] == ["beforeunload"]

    # Sending the form is not leaving it: no question.
    dialogs.shown.clear()
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_load_state()
    assert dialogs.shown == []


def test_a_member_form_back_with_its_errors_warns_before_leaving(live_server, page, demo):
    from members.models import Member

    members = Member.objects.count()
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    dialogs = Dialogs(page, accept=False)
    page.goto(f"{live_server.url}/teams/{demo}/members/add/")
    page.get_by_role("textbox", name="姓名").fill("次仁卓玛")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector(".is-invalid")  # other required fields are empty
    assert dialogs.shown == []  # sending is not leaving
    assert Member.objects.count() == members

    # Nothing changed since the page came back, but what it holds was never saved.
    page.get_by_role("link", name="取消").click()
    page.wait_for_timeout(500)
    assert [kind for kind, _ in dialogs.shown] == ["beforeunload"]
    assert page.get_by_role("textbox", name="姓名").input_value() == "次仁卓玛"


def test_the_rules_form_warns_only_once_changed(live_server, page, demo):
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    dialogs = Dialogs(page, accept=False)
    rules = f"{live_server.url}/teams/{demo}/rules/"
    breadcrumb = page.get_by_label("breadcrumb").get_by_role("link")

    page.goto(rules)
    breadcrumb.click()
    page.wait_for_url(re.compile(rf".*/teams/{demo}/$"))
    assert dialogs.shown == []

    page.goto(rules)
    page.locator("form[data-warn-unsaved] input[type=number]").first.fill("9")
    breadcrumb.click()
    page.wait_for_timeout(500)
    assert [kind for kind, _ in dialogs.shown] == ["beforeunload"]
    assert page.url == rules

    # A page script that fills the form in after loading (a rich-text editor) tells
    # site.js so: what the form holds then is the state to compare with.
    page.evaluate(
        "document.querySelector('form[data-warn-unsaved]')"
        ".dispatchEvent(new Event('site:form-ready'))"
    )
    dialogs.shown.clear()
    breadcrumb.click()
    page.wait_for_url(re.compile(rf".*/teams/{demo}/$"))
    assert dialogs.shown == []


def test_the_profile_form_warns_once_the_deeds_are_edited_in_the_editor(live_server, page, demo):
    """Quill fills the form in after the page loaded: that alone is no change, a word
    typed into the editor is."""
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    edit = f"{live_server.url}/teams/{demo}/profile/edit/"
    elsewhere = f"{live_server.url}/teams/{demo}/"
    dialogs = Dialogs(page, accept=False)

    def leave() -> None:
        page.evaluate("url => { window.location.href = url; }", elsewhere)
        page.wait_for_timeout(800)

    page.goto(edit)
    page.locator(".ql-editor").wait_for()
    leave()
    assert dialogs.shown == []
    assert page.url == elsewhere

    page.goto(edit)
    page.locator(".ql-editor").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("又一段话。")
    leave()
    assert [kind for kind, _ in dialogs.shown] == ["beforeunload"]
    assert page.url == edit
