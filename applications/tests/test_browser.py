"""Applying to join in a real browser, by the visible Chinese labels: a visitor finds the
demo team from the home page, applies from its profile, the secretary approves in the
queue, the member is on the roster and sets a password from the invitation mail."""

import pathlib
import re

import pytest
from django.core import mail
from django.core.cache import cache

from activities.stats import team_figures_recompute
from applications.models import Application, ApplicationStatus
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from members.models import Member
from teams.models import Team
from volunteer_site.tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


def label(text: str) -> re.Pattern:
    """A field's label as shown: required fields carry an asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


@pytest.fixture
def demo_team():
    cache.clear()
    demo_load()
    team = Team.objects.get(slug=TEAM_SLUG)
    team_figures_recompute(team_id=team.pk)
    return team


def test_a_visitor_applies_the_secretary_approves_and_the_volunteer_sets_a_password(
    live_server, page, demo_team, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    base = live_server.url
    highest = max(Member.objects.filter(team=demo_team).values_list("volunteer_number", flat=True))

    # The visitor finds the team from the home page by search, opens its profile and
    # clicks 申请加入.
    page.goto(f"{base}/")
    page.get_by_label("队伍名称或主管单位").fill("人民政府办公室")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=demo_team.name).click()
    page.wait_for_url(f"{base}/p/{TEAM_SLUG}/")
    page.get_by_role("link", name="申请加入").click()
    page.wait_for_url(f"{base}/p/{TEAM_SLUG}/apply/")
    assert page.get_by_role("heading", name="申请加入").is_visible()
    assert_accessible(page)
    public_name = page.get_by_label("我同意公开显示我的姓名（可选）")
    assert not public_name.is_checked()

    page.get_by_label(label("姓名")).fill("次仁卓嘎")
    page.get_by_label("女", exact=True).check()
    page.get_by_label(label("民族")).fill("藏族")
    page.get_by_label("我是中共党员").check()
    page.get_by_label("入党时间").fill("2015-07-01")
    page.get_by_label("工作单位").fill("日喀则市教育局")
    page.get_by_label("职务").fill("科员")
    page.get_by_label(label("手机或固定电话")).fill("１３９ ０８９２ １２３４")
    page.get_by_label("电子邮箱（选填）").fill("cirenzhuoga@example.com")
    page.get_by_label("扶贫帮困").check()

    # Without the processing consent nothing is sent, and what was typed stays.
    page.get_by_role("button", name="提交申请").click()
    assert "请勾选同意处理个人信息" in page.inner_text("#content")
    assert page.get_by_label(label("姓名")).input_value() == "次仁卓嘎"
    assert not Application.objects.exists()
    assert_accessible(page)  # the form with its messages

    page.get_by_label(label("我已阅读上述说明，同意处理我的个人信息（必选）")).check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{base}/p/{TEAM_SLUG}/apply/thanks/")
    assert page.get_by_role("heading", name="感谢您的申请").is_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "application-thanks.png"), full_page=True)
    status_url = page.locator("#status-link").get_attribute("href")
    application = Application.objects.get()
    assert application.phone == "13908921234"
    assert status_url == f"/apply/status/{application.status_token}/"

    page.locator("#status-link").click()
    assert "待审核" in page.inner_text("#status-text")
    assert_accessible(page)

    # The secretary logs in and finds the application from the team's home.
    secretary = page.context.browser.new_context(locale="zh-CN")
    staff_page = secretary.new_page()
    staff_page.goto(f"{base}/accounts/login/")
    staff_page.get_by_label("用户名").fill("secretary")
    staff_page.get_by_label("密码").fill("demo-secretary-2018")
    staff_page.get_by_role("button", name="登录").click()
    staff_page.goto(f"{base}/teams/{TEAM_SLUG}/")
    link = staff_page.get_by_role("link", name=re.compile("入队申请"))
    assert link.inner_text().split()[-1] == "1"  # one pending
    link.click()
    staff_page.wait_for_url(f"{base}/teams/{TEAM_SLUG}/applications/")
    card = staff_page.locator("article", has_text="次仁卓嘎")
    assert "日喀则市教育局" in card.inner_text()
    assert "13908921234" in card.inner_text()
    suggested = card.get_by_label(label("志愿者编号")).input_value()
    assert suggested == str(int(highest) + 1)
    staff_page.screenshot(path=str(ARTIFACTS / "application-queue.png"), full_page=True)
    assert_accessible(staff_page)
    card.get_by_role("button", name="通过并加入花名册").click()
    staff_page.wait_for_url(f"{base}/teams/{TEAM_SLUG}/applications/")
    assert "已加入花名册" in staff_page.inner_text("body")
    assert "邀请邮件已发送" in staff_page.inner_text("body")

    # The member is on the roster, with a login and an invitation in the mail.
    staff_page.goto(f"{base}/teams/{TEAM_SLUG}/members/?q=次仁卓嘎")
    assert suggested in staff_page.inner_text("table")
    member = Member.objects.get(volunteer_number=suggested)
    assert (member.name, member.work_unit, member.consents_to_public_name) == (
        "次仁卓嘎",
        "日喀则市教育局",
        False,
    )
    assert member.user is not None
    assert [message.to for message in mail.outbox] == [["cirenzhuoga@example.com"]]
    assert Application.objects.get().status == ApplicationStatus.APPROVED
    secretary.close()

    # The applicant's link now says approved.
    page.reload()
    assert "审核通过" in page.inner_text("#status-text")

    # The new volunteer sets a password from the invitation mail and sees their record.
    (invitation,) = mail.outbox
    link = re.search(r"http://\S+/accounts/welcome/\S+/", invitation.body).group(0)
    assert suggested in invitation.body  # the user name is the volunteer number
    page.goto(link)
    page.get_by_label(label("新密码")).fill("Nyang-river-2026")
    page.get_by_label(label("新密码确认")).fill("Nyang-river-2026")
    page.get_by_role("button", name="设置密码").click()
    page.get_by_role("heading", name=re.compile("我的服务记录")).wait_for()
    assert "次仁卓嘎" in page.inner_text("#content")


def test_the_secretary_confirms_a_rejection_and_the_applicant_reads_the_reason(
    live_server, page, personas, settings
):
    from applications.tests.factories import ApplicationFactory
    from conftest import PASSWORD

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Team.objects.filter(pk=personas.team.pk).update(is_published=True)
    application = ApplicationFactory(team=personas.team, name="格桑", email="gesang@example.com")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("secretary")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/teams/{personas.team.slug}/applications/")
    card = page.locator("article", has_text="格桑")

    # Without a reason: refused in Chinese, still pending.
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="不予通过").click()
    page.wait_for_selector("text=请填写不通过的理由")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.PENDING

    # With a reason, the confirmation dismissed: nothing happens.
    card = page.locator("article", has_text="格桑")
    card.get_by_label(label("不通过的理由")).fill("本队今年不再招收新队员。")
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.get_by_role("button", name="不予通过").click()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.PENDING

    # Accepted: rejected, mailed, and the applicant reads the reason on their page.
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="不予通过").click()
    page.wait_for_selector("text=申请人可以看到理由")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert "本队今年不再招收新队员。" in mail.outbox[0].body
    page.goto(f"{base}/apply/status/{application.status_token}/")
    assert "本队今年不再招收新队员。" in page.inner_text("#reject-reason")
    assert "格桑" not in page.inner_text("#content")
