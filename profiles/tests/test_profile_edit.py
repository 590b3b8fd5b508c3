"""The secretary's profile editing (issue 15): every part the profile shows, the
preview before 公开, and 纠错 that points at the part it is about."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from profiles.forms import MAIN_DEEDS_MAX_LENGTH, ProfileForm
from teams.models import ErrorReport, ProfilePart, Team, TeamCategory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory
from volunteer_site.models import AuditAction, AuditEntry
from volunteer_site.names import pinyin_initials, pinyin_key

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _chinese():
    """The forms are tried directly, outside a request: in the site's language."""
    with translation.override("zh-hans"):
        yield


def edit_url(team) -> str:
    return reverse("profiles:edit", args=[team.slug])


def preview_url(team) -> str:
    return reverse("profiles:preview", args=[team.slug])


def data(**overrides) -> dict:
    values = {
        "name": "日喀则市人民政府办公室党员志愿服务队",
        "founded_year": "2016",
        "founded_month": "3",
        "host_unit": "日喀则市人民政府办公室",
        "categories": [],
        "lead_member": "",
        "lead_name": "赵睿",
        "lead_title": "市政府副秘书长",
        "lead_consents_to_publication": "on",
        "recommending_unit": "西藏自治区文明办",
        "main_deeds": "<p>认真做事</p>",
        "publication_source": "中国文明网",
        "responsible_editor": "林和",
        "published_on": "2018-11-28",
    }
    values.update(overrides)
    return values


def form_for(team, **overrides) -> ProfileForm:
    return ProfileForm(data(**overrides), instance=team, today=TODAY)


def errors_of(form: ProfileForm) -> dict[str, list[str]]:
    assert not form.is_valid()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


# --- Form validation ---------------------------------------------------------------------


def test_the_name_must_be_unique_and_a_look_alike_is_the_same_name(personas):
    # A zero-width space or surrounding spaces make no other name; NFKC folds full-width
    # letters and digits (Ｔｅａｍ Ｖ１ is Team V1).
    for clash in ["别人的志愿服务队", "别人的志愿服务队\u200b", " 别人的志愿服务队 "]:
        errors = errors_of(form_for(personas.team, name=clash))
        assert errors["name"] == ["已有名为“别人的志愿服务队”的志愿服务队，请换一个名称。"]
    TeamFactory(name="Team V1")
    errors = errors_of(form_for(personas.team, name="Ｔｅａｍ Ｖ１"))
    assert errors["name"] == ["已有名为“Team V1”的志愿服务队，请换一个名称。"]
    # Its own name is no clash, and the name is stored as it is compared.
    form = form_for(personas.team, name="我们的志愿服务队\u200b")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "我们的志愿服务队"


def test_renaming_keeps_the_address_and_records_history_and_audit(personas):
    team = personas.team
    history_before = team.history.count()
    response = client_for(personas.secretary).post(edit_url(team), data())
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "日喀则市人民政府办公室党员志愿服务队"
    assert team.slug == "our-team"
    assert team.host_unit == "日喀则市人民政府办公室"
    assert team.founded_on == datetime.date(2016, 3, 1)
    assert team.history.count() == history_before + 1
    assert team.history.first().name == "日喀则市人民政府办公室党员志愿服务队"
    entry = AuditEntry.objects.get(action=AuditAction.PROFILE_EDIT)
    assert entry.user == personas.secretary
    assert entry.target == team.name
    assert "name" in entry.detail["changed"] and "host_unit" in entry.detail["changed"]


@pytest.mark.parametrize(
    ("year", "month", "field", "message"),
    [
        ("2027", "1", "founded_year", "请从列表中选择年份（1949年至2026年）。"),
        ("2026", "12", None, None),  # this month is allowed
        ("1948", "12", "founded_year", "请从列表中选择年份（1949年至2026年）。"),
        ("1949", "1", None, None),
        ("2016", "13", "founded_month", "请从列表中选择月份（1至12月）。"),
        ("2016", "0", "founded_month", "请从列表中选择月份（1至12月）。"),
        ("NaN", "3", "founded_year", "请从列表中选择年份（1949年至2026年）。"),
        ("2016", "NaN", "founded_month", "请从列表中选择月份（1至12月）。"),
        ("9" * 10_000, "3", "founded_year", "请从列表中选择年份（1949年至2026年）。"),
        ("２０１６", "3", "founded_year", "请从列表中选择年份（1949年至2026年）。"),
        ("2016", "³", "founded_month", "请从列表中选择月份（1至12月）。"),
        ("", "3", "founded_year", "这个字段是必填项。"),
    ],
)
def test_the_founding_month(personas, year, month, field, message):
    form = form_for(personas.team, founded_year=year, founded_month=month)
    if field is None:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["founded_on"] == datetime.date(int(year), int(month), 1)
    else:
        assert errors_of(form)[field] == [message]


def test_a_month_later_this_year_is_in_the_future():
    team = TeamFactory()
    form = ProfileForm(
        data(founded_year="2026", founded_month="12"),
        instance=team,
        today=datetime.date(2026, 5, 31),
    )
    assert errors_of(form) == {"founded_month": ["成立时间不能晚于本月。"]}


def test_the_projects_are_saved_in_the_posted_order(personas):
    team = personas.team
    names = ["献爱心送温暖", "扶贫帮困", "科教文卫"]
    shared = [ServiceCategoryFactory(name=name) for name in names]
    own = ServiceCategoryFactory(name="火车站志愿服务", team=team)
    TeamCategory.objects.create(team=team, category=shared[0], position=0)
    order = [own.pk, shared[2].pk, shared[0].pk, own.pk]  # a repeated id counts once
    response = client_for(personas.secretary).post(edit_url(team), data(categories=order))
    assert response.status_code == 302
    rows = list(TeamCategory.objects.filter(team=team).values_list("category_id", "position"))
    assert rows == [(own.pk, 0), (shared[2].pk, 1), (shared[0].pk, 2)]
    team.refresh_from_db()
    profile = text_of(client_for(personas.secretary).get(preview_url(team)))
    assert "一是开展火车站志愿服务活动。二是开展科教文卫活动。三是开展献爱心送温暖活动。" in profile


def test_an_unknown_or_another_teams_category_is_refused(personas):
    team = personas.team
    theirs = ServiceCategoryFactory(name="别队的项目", team=personas.other_team)
    ours = ServiceCategoryFactory(name="扶贫帮困")
    TeamCategory.objects.create(team=team, category=ours, position=0)
    message = "所选项目不是本队可用的服务类别，请刷新页面后重新选择。"
    for bad in [theirs.pk, 999_999, "NaN", "１"]:
        response = client_for(personas.secretary).post(
            edit_url(team), data(categories=[ours.pk, bad])
        )
        assert response.status_code == 200
        assert message in text_of(response)
    assert list(TeamCategory.objects.filter(team=team).values_list("category_id", flat=True)) == [
        ours.pk
    ]


def test_the_up_down_and_remove_buttons_work_without_javascript(personas):
    team = personas.team
    a, b, c = (ServiceCategoryFactory(name=name) for name in ["甲项目", "乙项目", "丙项目"])
    client = client_for(personas.secretary)
    response = client.post(edit_url(team), data(categories=[a.pk, b.pk, c.pk], move=f"up:{c.pk}"))
    assert response.status_code == 200  # shown again, not saved
    assert not TeamCategory.objects.filter(team=team).exists()
    assert response.context["form"].ordered_categories() == [
        (str(a.pk), "甲项目"),
        (str(c.pk), "丙项目"),
        (str(b.pk), "乙项目"),
    ]
    assert "项目列表已调整，尚未保存" in text_of(response)
    moved = client.post(edit_url(team), data(categories=[a.pk, b.pk], move=f"down:{a.pk}"))
    assert [pk for pk, _ in moved.context["form"].ordered_categories()] == [str(b.pk), str(a.pk)]
    removed = client.post(edit_url(team), data(categories=[a.pk, b.pk], move=f"remove:{a.pk}"))
    assert [pk for pk, _ in removed.context["form"].ordered_categories()] == [str(b.pk)]
    added = client.post(edit_url(team), data(categories=[b.pk], add_category=str(c.pk), move="add"))
    assert [pk for pk, _ in added.context["form"].ordered_categories()] == [str(b.pk), str(c.pk)]
    # The top one cannot go further up; a stranger's id moves nothing.
    same = client.post(edit_url(team), data(categories=[a.pk, b.pk], move=f"up:{a.pk}"))
    assert [pk for pk, _ in same.context["form"].ordered_categories()] == [str(a.pk), str(b.pk)]


def test_a_lead_from_another_team_or_who_left_is_refused(personas):
    outsider = MemberFactory(team=personas.other_team, name="别队的人")
    left = MemberFactory(team=personas.team, name="已离队", left_on=datetime.date(2020, 1, 1))
    for member in (outsider, left):
        errors = errors_of(form_for(personas.team, lead_member=str(member.pk)))
        assert errors["lead_member"] == ["请选择本队现有成员，或直接填写负责人姓名。"]


def test_the_lead_choices_are_sorted_by_pinyin_and_carry_the_search_keys(personas):
    team = personas.team
    team.members.all().delete()
    for number, name in [("V3", "扎西"), ("V1", "次仁"), ("V2", "阿旺"), ("V4", "次旺")]:
        MemberFactory(team=team, name=name, volunteer_number=number)
    MemberFactory(team=team, name="巴桑", left_on=datetime.date(2020, 1, 1))  # left: not offered
    form = ProfileForm(instance=team, today=TODAY)
    labels = [label for _value, label in form.fields["lead_member"].choices]
    # a-wang, ci-ren, ci-wang, zha-xi
    assert labels == [
        "— 不是登记的成员：请在下面填写姓名 —",
        "阿旺（V2）",
        "次仁（V1）",
        "次旺（V4）",
        "扎西（V3）",
    ]
    html = str(form["lead_member"])
    assert 'data-initials="cr"' in html and 'data-pinyin="ciren"' in html
    assert 'data-number="V1"' in html


def test_pinyin_key_and_initials():
    assert pinyin_initials("次仁多吉") == "crdj"
    assert pinyin_initials("Ｔｏｍ") == "t"
    names = ["扎西", "次旺", "阿旺", "次仁", "Tom"]
    assert sorted(names, key=pinyin_key) == ["阿旺", "次仁", "次旺", "Tom", "扎西"]


def test_the_main_deeds_are_cleaned_and_limited(personas):
    dirty = (
        '<p style="color:red" onclick="x()"><strong>认真</strong>做事</p>'
        '<script>alert("x")</script><h3>标题</h3><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">坏链接</a>'
    )
    response = client_for(personas.secretary).post(edit_url(personas.team), data(main_deeds=dirty))
    assert response.status_code == 302
    team = Team.objects.get(pk=personas.team.pk)
    assert team.main_deeds == (
        '<p><strong>认真</strong>做事</p><h3>标题</h3><a rel="noopener noreferrer nofollow">'
        "坏链接</a>"
    )
    too_long = "字" * (MAIN_DEEDS_MAX_LENGTH + 1)
    errors = errors_of(form_for(personas.team, main_deeds=too_long))
    assert "main_deeds" in errors and "20000" in errors["main_deeds"][0]
    # 30,000 characters posted: refused, nothing saved.
    before = Team.objects.get(pk=personas.team.pk).main_deeds
    response = client_for(personas.secretary).post(
        edit_url(personas.team), data(main_deeds="长" * 30_000)
    )
    assert response.status_code == 200
    assert Team.objects.get(pk=personas.team.pk).main_deeds == before


# --- The public profile shows it -----------------------------------------------------------


def test_the_profile_shows_the_host_unit_after_the_name(personas):
    Team.objects.filter(pk=personas.team.pk).update(host_unit="日喀则市人民政府办公室")
    text = text_of(client_for(personas.secretary).get(preview_url(personas.team)))
    assert "组织名称：我们的志愿服务队 主管单位：日喀则市人民政府办公室 成立时间：2016年3月" in text


# --- The preview -----------------------------------------------------------------------------


def test_the_preview_is_for_the_secretary_and_never_stored_or_indexed(personas):
    team = personas.team
    response = client_for(personas.secretary).get(preview_url(team))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    text = text_of(response)
    assert "预览 — 尚未公开" in text
    assert 'data-confirm="确定公开这份简介吗？公开后所有人都能看到。"' in html
    for persona, status in [("staff", 403), ("region_admin", 403), ("other_secretary", 404)]:
        assert client_for(getattr(personas, persona)).get(preview_url(team)).status_code == status
    anonymous = client_for().get(preview_url(team))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_once_published_the_preview_offers_withdrawal_with_a_confirmation(personas):
    Team.objects.filter(pk=personas.team.pk).update(
        is_published=True, published_on=datetime.date(2018, 11, 28)
    )
    secretary = client_for(personas.secretary)
    html = secretary.get(preview_url(personas.team)).content.decode()
    assert "预览 — 公众看到的样子" in html
    confirm = 'data-confirm="确定取消公开吗？取消后访客将无法看到这份简介。"'
    assert confirm in html
    assert confirm in secretary.get(edit_url(personas.team)).content.decode()


def test_the_edit_form_warns_before_leaving_and_publishing_goes_through_the_preview(personas):
    html = client_for(personas.secretary).get(edit_url(personas.team)).content.decode()
    assert "data-warn-unsaved" in html
    assert f'href="{preview_url(personas.team)}">预览并公开' in html
    assert 'value="publish"' not in html  # publishing is on the preview


# --- 纠错 about a part of the profile ----------------------------------------------------


def test_a_visitor_says_which_part_is_wrong_and_the_secretary_is_taken_there(personas):
    team = personas.team
    Team.objects.filter(pk=team.pk).update(is_published=True)
    report_url = reverse("profiles:report", args=[team.slug])
    form_text = text_of(client_for().get(report_url))
    assert "哪一部分有误（选填）" in form_text
    response = client_for().post(report_url, {"field": "host_unit", "description": "主管单位错了"})
    assert response.status_code == 302
    client_for().post(report_url, {"field": "figures", "description": "人数不对"})
    client_for().post(report_url, {"field": "", "description": "其他"})
    refused = client_for().post(report_url, {"field": "password", "description": "乱填"})
    assert "请从列表中选择有误的部分，或不选。" in text_of(refused)
    assert ErrorReport.objects.count() == 3
    host = ErrorReport.objects.get(field=ProfilePart.HOST_UNIT)

    response = client_for(personas.secretary).get(reverse("profiles:reports", args=[team.slug]))
    text = text_of(response)
    assert "有误的部分：主管单位" in text
    assert "有误的部分：数字或其他" in text and "有误的部分：未说明" in text
    html = response.content.decode()
    link = f"{edit_url(team)}?focus=host_unit#id_host_unit"
    assert f'href="{link}"' in html
    # Figures cannot be edited: that report points to the activities instead; the report
    # that names no part opens the edit page at its top.
    assert html.count("去修改") == 2
    assert f'href="{edit_url(team)}"' in html
    assert reverse("activities:list", args=[team.slug]) in html
    assert "数字由已审核的活动记录计算得出" in text
    assert host.field == "host_unit"

    # Without JavaScript, the edit page puts the focus on the field itself.
    page = client_for(personas.secretary).get(link).content.decode()
    host_input = re.search(r'<input[^>]*name="host_unit"[^>]*>', page).group(0)
    assert "autofocus" in host_input
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    assert "autofocus" not in name_input


def test_the_edit_page_costs_the_same_queries_for_5_and_150_members(personas):
    client = client_for(personas.secretary)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(edit_url(personas.team)).status_code == 200
        return len(captured)

    MemberFactory.create_batch(4, team=personas.team)
    few = queries()
    MemberFactory.create_batch(145, team=personas.team)
    assert queries() == few
