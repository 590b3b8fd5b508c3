"""The secretary edits the demo team's profile in a real browser, by the labels people
read: name, founding month, host unit, the lead found by pinyin initials, a project
moved up, bold text written in Quill; previews, publishes; a visitor's 纠错 about the
host unit is resolved through its "去修改" link."""

import datetime
import pathlib
import re

import pytest
from django.core.cache import cache

from activities.stats import team_figures_recompute
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from members.models import Member
from teams.models import ErrorReport, Team
from volunteer_site.names import pinyin_initials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path("test-artifacts")


@pytest.fixture
def demo_team():
    cache.clear()
    demo_load()
    team = Team.objects.get(slug=TEAM_SLUG)
    Team.objects.filter(pk=team.pk).update(is_published=False)
    team_figures_recompute(team_id=team.pk)
    return Team.objects.get(pk=team.pk)


AXE = pathlib.Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2 A/AA findings in the page's content (the top bar is the site's
    layout, checked with the other pages), as "rule: element" lines. The script is
    evaluated through the browser's debugging protocol, which the page's CSP does not
    govern (a <script> tag with it inline would be refused)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run('#content', {runOnly: ['wcag2a', 'wcag2aa']})).violations"
    )
    return [f"{v['id']}: {node['target']}" for v in result for node in v["nodes"]]


def a_member_found_by_initials(team) -> tuple[Member, str]:
    """An active member and the initials of their name, which at most a few share."""
    members = list(Member.objects.filter(team=team).active().exclude(pk=team.lead_member_id))
    counts: dict[str, int] = {}
    for member in members:
        key = pinyin_initials(member.name)
        counts[key] = counts.get(key, 0) + 1
    member = min(members, key=lambda m: (counts[pinyin_initials(m.name)], m.pk))
    return member, pinyin_initials(member.name)


def test_the_secretary_edits_previews_and_publishes(live_server, page, chromium, demo_team):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "demo-secretary-2018")
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))
    page.goto(f"{base}/teams/{TEAM_SLUG}/profile/edit/")
    assert axe_violations(page) == []

    page.get_by_label("服务队名称").fill("日喀则市政府办公室党员志愿服务队")
    page.get_by_label("成立年份").select_option(label="2015年")
    page.get_by_label("成立月份").select_option(label="6月")
    page.get_by_label("主管单位").fill("日喀则市人民政府")

    # 项目负责人: typed initials narrow 120 members to a few; choosing one fills the field.
    lead, initials = a_member_found_by_initials(demo_team)
    search = page.get_by_label("查找成员（姓名、拼音或首字母）")
    search.fill(initials)
    options = page.locator("#lead-options button")
    assert options.count() < 10
    page.get_by_role("button", name=f"{lead.name}（{lead.volunteer_number}）").click()
    assert page.locator("#id_lead_member").input_value() == str(lead.pk)
    assert f"已选择：{lead.name}" in page.inner_text("#lead-chosen")
    assert not page.is_visible("#id_lead_member")  # the plain select is the fallback

    # 经常开展的志愿服务项目: the second moves above the first, in place.
    names = page.locator("#project-list .project-name").all_inner_texts()
    assert len(names) == 7
    page.get_by_role("button", name=f"上移“{names[1]}”").click()
    assert page.locator("#project-list .project-name").all_inner_texts()[:2] == [
        names[1],
        names[0],
    ]

    # 主要事迹 in Quill: a new bold paragraph at the end.
    editor = page.locator(".ql-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="粗体").click()
    page.keyboard.type("二〇二六年新增事迹")
    page.screenshot(path=str(ARTIFACTS / "profile-edit-quill.png"), full_page=True)
    page.get_by_role("button", name="保存", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/profile/edit/$"))
    assert "简介已保存。" in page.inner_text("body")

    team = Team.objects.get(pk=demo_team.pk)
    assert team.name == "日喀则市政府办公室党员志愿服务队" and team.slug == TEAM_SLUG
    assert team.founded_on == datetime.date(2015, 6, 1)
    assert team.host_unit == "日喀则市人民政府"
    assert team.lead_member_id == lead.pk
    assert [c.name for c in team.categories_in_order()][:2] == [names[1], names[0]]
    assert "<strong>二〇二六年新增事迹</strong>" in team.main_deeds
    assert "&nbsp;" not in team.main_deeds

    # Preview, then 公开 (confirmed).
    page.get_by_role("link", name="预览并公开").click()
    page.wait_for_url(re.compile(r".*/profile/preview/$"))
    assert "预览 — 尚未公开" in page.inner_text("#preview-banner")
    page.screenshot(path=str(ARTIFACTS / "profile-preview.png"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("button", name="公开").click()
    page.wait_for_url(re.compile(r".*/profile/edit/$"))
    assert Team.objects.get(pk=team.pk).is_published
    if dialogs:  # the site-wide data-confirm script asks first where it is present
        assert dialogs == ["确定公开这份简介吗？公开后所有人都能看到。"]

    # The public sees all of it.
    visitor = chromium.new_context(locale="zh-CN")
    public = visitor.new_page()
    public.goto(f"{base}/p/{TEAM_SLUG}/")
    text = public.inner_text("#profile-article")
    assert public.inner_text("h1") == "日喀则市政府办公室党员志愿服务队"
    assert "主管单位：日喀则市人民政府" in text
    assert "成立时间：2015年6月" in text
    assert f"项目负责人：{lead.name}" in text
    assert f"一是开展{names[1]}" in text
    assert public.inner_text(".main-deeds strong") == "二〇二六年新增事迹"

    # A visitor reports that the host unit is wrong ...
    public.get_by_role("link", name="纠错").first.click()
    public.get_by_label("哪一部分有误（选填）").select_option(label="主管单位")
    public.get_by_label("本页哪里有误？").fill("主管单位应为日喀则市人民政府办公室。")
    public.get_by_role("button", name="提交纠错").click()
    public.wait_for_url(re.compile(r".*/report/thanks/$"))
    visitor.close()
    report = ErrorReport.objects.get()
    assert report.field == "host_unit"

    # ... and the secretary goes straight to the field from the report.
    page.goto(f"{base}/teams/{TEAM_SLUG}/reports/")
    assert "有误的部分：主管单位" in page.inner_text("#reports")
    page.get_by_role("link", name="去修改").click()
    page.wait_for_url(re.compile(r".*/profile/edit/\?focus=host_unit#id_host_unit$"))
    assert page.evaluate("document.activeElement.id") == "id_host_unit"
    page.keyboard.press("Control+A")
    page.keyboard.type("日喀则市人民政府办公室")
    page.keyboard.press("Enter")  # Enter saves (not a project's 上移)
    # The browser keeps the fragment through the redirect: the field stays in view.
    page.wait_for_url(re.compile(r".*/profile/edit/#id_host_unit$"))
    assert Team.objects.get(pk=team.pk).host_unit == "日喀则市人民政府办公室"
    assert [c.name for c in Team.objects.get(pk=team.pk).categories_in_order()][:2] == [
        names[1],
        names[0],
    ]
    # On a phone the page stays within the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/teams/{TEAM_SLUG}/profile/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "profile-edit-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/teams/{TEAM_SLUG}/reports/")
    page.get_by_label("处理说明").fill("已改为日喀则市人民政府办公室")
    page.get_by_role("button", name="标记为已处理").click()
    page.wait_for_url(re.compile(r".*/reports/$"))
    report.refresh_from_db()
    assert report.resolved_at is not None


def test_without_javascript_the_plain_form_still_does_everything(live_server, chromium, demo_team):
    """No script: the lead is a plain select sorted by pinyin, 主要事迹 a textarea, and
    the projects' 上移 asks the server, which shows the new order without saving it."""
    context = chromium.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "demo-secretary-2018")
    page.click("#content button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/.*"))
    page.goto(f"{base}/teams/{TEAM_SLUG}/profile/edit/")
    assert not page.is_visible("#lead-search")
    lead_select = page.get_by_label("项目负责人（队员）")
    assert lead_select.is_visible()
    assert page.get_by_label("主要事迹").is_visible()

    names = page.locator("#project-list .project-name").all_inner_texts()
    page.get_by_role("button", name=f"上移“{names[2]}”").click()
    assert "项目列表已调整，尚未保存" in page.inner_text("body")
    moved = page.locator("#project-list .project-name").all_inner_texts()
    assert moved[:3] == [names[0], names[2], names[1]]
    assert [c.name for c in Team.objects.get(pk=demo_team.pk).categories_in_order()] == names
    page.get_by_role("button", name="保存", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/profile/edit/$"))
    assert [c.name for c in Team.objects.get(pk=demo_team.pk).categories_in_order()] == moved
    context.close()
