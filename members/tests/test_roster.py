"""The members roster (花名册): list, filters, masking, add, edit, leave, rejoin."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from members.models import CadreRank, Gender, Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

FULL_PHONE = "13812345678"
MASKED_PHONE = "138****5678"
SLUG = "our-team"
PERSONAS = [
    "staff",
    "secretary",
    "region_admin",
    "other_staff",
    "other_secretary",
    "other_region_admin",
    "volunteer",
    "no_role",
]


def list_url(**query) -> str:
    url = reverse("members:list", kwargs={"slug": SLUG})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def member_url(name: str, member: Member, slug: str = SLUG) -> str:
    return reverse(f"members:{name}", kwargs={"slug": slug, "pk": member.pk})


def numbers_on(response) -> list[str]:
    return [member.volunteer_number for member in response.context["page_obj"]]


def form_data(**overrides) -> dict:
    data = {
        "volunteer_number": "54020000099",
        "name": "格桑卓玛",
        "gender": Gender.FEMALE,
        "ethnicity": "藏族",
        "is_party_member": "on",
        "party_joined_on": "2012-07-01",
        "cadre_rank": CadreRank.SECTION,
        "position": "综合科科员",
        "phone": "13987654321",
        "email": "",
        "registered_on": "2016-03-01",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- the list: filters and search ---------------------------------------------------


def test_list_shows_the_current_members_sorted_by_number(personas, roster):
    response = client_for(personas.staff).get(list_url())
    assert response.status_code == 200
    # The volunteer persona's member has a factory number "V…", after "A…".
    assert numbers_on(response) == ["A001", "A002", personas.volunteer_member.volunteer_number]
    page = response.content.decode()
    assert "共 3 人" in page
    assert "B001" not in page and "别队队员" not in page
    assert "王离开" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "left"}, ["A003"]),
        ({"status": "all"}, ["A001", "A002", "A003", "V"]),
        ({"party": "yes"}, ["A001", "V"]),
        ({"party": "no"}, ["A002"]),
        ({"cadre_rank": "county"}, ["A001"]),
        ({"cadre_rank": "section", "status": "all"}, ["A003"]),
        ({"party": "yes", "cadre_rank": "worker"}, []),
        ({"q": "扎西"}, ["A001"]),
        ({"q": "a002"}, ["A002"]),
        ({"q": "王离开"}, []),
        ({"q": "王离开", "status": "all"}, ["A003"]),
        ({"party": "nonsense", "cadre_rank": "nonsense"}, ["A001", "A002", "V"]),
    ],
)
def test_list_filters(personas, roster, query, expected):
    response = client_for(personas.staff).get(list_url(**query))
    assert response.status_code == 200
    numbers = [number if number.startswith("A") else "V" for number in numbers_on(response)]
    assert numbers == expected
    assert f"共 {len(expected)} 人" in response.content.decode()


def test_secretary_can_search_by_phone(personas, roster):
    response = client_for(personas.secretary).get(list_url(q="139 0000 0002"))
    assert numbers_on(response) == ["A002"]


@pytest.mark.parametrize("persona", ["staff", "region_admin"])
def test_those_who_see_masked_phones_cannot_search_by_phone(personas, roster, persona):
    # Otherwise the full number could be found digit by digit.
    response = client_for(getattr(personas, persona) if persona else None).get(
        list_url(q="13900000002")
    )
    assert numbers_on(response) == []


def test_list_is_paginated_by_fifty_and_keeps_the_filters(personas):
    MemberFactory.create_batch(120, team=personas.team, is_party_member=False)
    client = client_for(personas.staff)
    first = client.get(list_url(party="no"))
    assert len(first.context["page_obj"]) == 50
    assert "共 120 人" in first.content.decode()
    assert "party=no&amp;page=2" in first.content.decode()
    last = client.get(list_url(party="no", page=3))
    assert len(last.context["page_obj"]) == 20
    beyond = client.get(list_url(party="no", page=99))
    assert beyond.context["page_obj"].number == 3


@pytest.mark.parametrize("persona", ["staff", "secretary"])
def test_list_query_count_does_not_grow_with_the_roster(personas, persona):
    client = client_for(getattr(personas, persona) if persona else None)
    client.get(list_url())  # warm up: session, caches

    def queries_with(total: int) -> int:
        missing = total - Member.objects.filter(team=personas.team).count()
        MemberFactory.create_batch(missing, team=personas.team)
        with CaptureQueriesContext(connection) as context:
            response = client.get(list_url())
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == total
        return len(context.captured_queries)

    assert queries_with(10) == queries_with(200)


# --- phones: masked for everyone but the secretary ----------------------------------


def test_secretary_sees_full_phone_numbers(personas):
    response = client_for(personas.secretary).get(list_url())
    page = response.content.decode()
    assert FULL_PHONE in page
    assert MASKED_PHONE not in page


@pytest.mark.parametrize("persona", ["staff", "region_admin"])
def test_others_see_masked_phone_numbers_only(personas, persona):
    page = (
        client_for(getattr(personas, persona) if persona else None)
        .get(list_url(status="all"))
        .content.decode()
    )
    assert MASKED_PHONE in page
    assert FULL_PHONE not in page
    assert "5678" in page  # the last four digits, and
    assert "12345678" not in page  # never more


@pytest.mark.parametrize("persona", ["staff", "region_admin"])
def test_readers_see_no_editing_buttons(personas, persona):
    page = (
        client_for(getattr(personas, persona) if persona else None).get(list_url()).content.decode()
    )
    assert reverse("members:create", kwargs={"slug": SLUG}) not in page
    assert member_url("update", personas.volunteer_member) not in page


def test_team_home_links_to_the_roster(personas):
    page = client_for(personas.staff).get(reverse("dashboard:team", args=[SLUG]))
    assert list_url() in page.content.decode()
    assert "队员花名册" in page.content.decode()


# --- add ----------------------------------------------------------------------------


def test_secretary_adds_a_member(personas):
    client = client_for(personas.secretary)
    assert client.get(reverse("members:create", args=[SLUG])).status_code == 200
    response = client.post(reverse("members:create", args=[SLUG]), form_data(), follow=True)
    member = Member.objects.get(volunteer_number="54020000099")
    assert member.team == personas.team
    assert member.party_joined_on == datetime.date(2012, 7, 1)
    assert member.history.get().history_user == personas.secretary
    assert response.redirect_chain == [(list_url(), 302)]
    assert "格桑卓玛（54020000099）已加入花名册。" in response.content.decode()


def test_add_strips_spaces_from_the_phone(personas):
    client_for(personas.secretary).post(
        reverse("members:create", args=[SLUG]), form_data(phone="139 8765 4321")
    )
    assert Member.objects.get(volunteer_number="54020000099").phone == "13987654321"


def test_add_returns_to_the_filtered_list_it_came_from(personas):
    back = list_url(party="no", page=1)
    response = client_for(personas.secretary).post(
        reverse("members:create", args=[SLUG]), {**form_data(), "next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/",
        "/admin/",
        "/teams/our-team/members/../../../admin/",
        "/teams/our-team/members/1/edit/",
    ],
)
def test_add_never_redirects_outside_the_roster(personas, back):
    response = client_for(personas.secretary).post(
        reverse("members:create", args=[SLUG]), {**form_data(), "next": back}
    )
    assert response["Location"] == list_url()


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
BAD_INPUT = [
    pytest.param(
        {"volunteer_number": "A001"},
        "volunteer_number",
        "志愿者编号 A001 已被注册，请核对：每名志愿者的编号各不相同。",
        id="duplicate-number",
    ),
    pytest.param(
        {"volunteer_number": "B001"},
        "volunteer_number",
        "志愿者编号 B001 已被注册，请核对：每名志愿者的编号各不相同。",
        id="number-of-another-team",
    ),
    pytest.param(
        {"phone": "138-1234"},
        "phone",
        "请输入11位手机号码，或带区号的固定电话号码。",
        id="malformed-phone",
    ),
    pytest.param(
        {"is_party_member": None},
        "party_joined_on",
        "只有党员才能填写入党时间。请勾选“党员”，或清空入党时间。",
        id="party-date-without-party-member",
    ),
    pytest.param(
        {"registered_on": TOMORROW},
        "registered_on",
        "注册日期不能晚于今天。",
        id="registered-in-the-future",
    ),
    pytest.param(
        {"name": ""},
        "name",
        "这个字段是必填项。",
        id="name-missing",
    ),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_INPUT)
def test_add_with_bad_input_saves_nothing_and_keeps_the_values(
    personas, roster, bad, field, message
):
    before = Member.objects.count()
    data = form_data(**bad)
    response = client_for(personas.secretary).post(reverse("members:create", args=[SLUG]), data)
    assert response.status_code == 200
    assert Member.objects.count() == before
    form = response.context["form"]
    assert form.errors[field] == [message]
    page = response.content.decode()
    assert message in page
    for name in ("volunteer_number", "name", "ethnicity", "position", "phone"):
        if data.get(name):
            assert f'value="{data[name]}"' in page, name
    assert 'value="2012-07-01"' in page  # the party date, typed as a date


# --- edit ---------------------------------------------------------------------------


def test_secretary_edits_a_member(personas, roster):
    member = roster["worker"]
    client = client_for(personas.secretary)
    page = client.get(member_url("update", member)).content.decode()
    assert 'value="李红"' in page and 'value="13900000002"' in page
    data = form_data(volunteer_number="A002", name="李红梅", is_party_member=None)
    data.pop("party_joined_on")
    response = client.post(member_url("update", member), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "李红梅"
    assert member.team == personas.team
    assert member.history.first().history_user == personas.secretary


@pytest.mark.parametrize(("bad", "field", "message"), BAD_INPUT)
def test_edit_with_bad_input_changes_nothing_and_keeps_the_values(
    personas, roster, bad, field, message
):
    member = roster["worker"]
    data = form_data(**{"volunteer_number": "A002", **bad})
    response = client_for(personas.secretary).post(member_url("update", member), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.name, fresh.phone, fresh.volunteer_number) == ("李红", "13900000002", "A002")
    assert fresh.history.count() == 1
    page = response.content.decode()
    if data.get("name"):
        assert f'value="{data["name"]}"' in page
    # The heading names the member as saved, not as typed.
    assert "编辑 李红（A002）" in page


def test_edit_keeps_its_own_number(personas, roster):
    response = client_for(personas.secretary).post(
        member_url("update", roster["county"]), form_data(volunteer_number="A001")
    )
    assert response.status_code == 302
    county = Member.objects.get(pk=roster["county"].pk)
    assert county.volunteer_number == "A001"
    assert county.name == form_data()["name"]


def test_edit_refuses_registration_after_leaving(personas, roster):
    member = roster["left"]
    response = client_for(personas.secretary).post(
        member_url("update", member),
        form_data(volunteer_number="A003", registered_on="2018-07-01"),
    )
    assert response.context["form"].errors["registered_on"] == [
        "注册日期不能晚于离队日期（2018-06-30）。"
    ]
    assert Member.objects.get(pk=member.pk).registered_on == datetime.date(2016, 3, 1)


# --- CSRF and no inline scripts -----------------------------------------------------


@pytest.mark.parametrize("name", ["leave", "rejoin", "update"])
def test_state_changes_need_the_csrf_token(personas, roster, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.secretary)
    member = roster["left"] if name == "rejoin" else roster["county"]
    before = Member.objects.values().get(pk=member.pk)
    response = client.post(member_url(name, member), {"left_on": "2018-12-31", **form_data()})
    assert response.status_code == 403
    assert Member.objects.values().get(pk=member.pk) == before


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("page", ["list", "create", "update", "leave"])
def test_pages_have_no_inline_javascript(personas, roster, page):
    url = (
        list_url(status="all")
        if page == "list"
        else reverse("members:create", args=[SLUG])
        if page == "create"
        else member_url(page, roster["county"])
    )
    html = client_for(personas.secretary).get(url).content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert "javascript:" not in html


# --- the permission matrix ----------------------------------------------------------

READER = {"staff": 200, "secretary": 200, "region_admin": 200}
SECRETARY_ONLY = {"staff": 403, "region_admin": 403}
NO_ROLE = {
    "other_staff": 404,
    "other_secretary": 404,
    "other_region_admin": 404,
    "volunteer": 404,
    "no_role": 404,
}
# (url name, method) → status for each persona; anonymous is always sent to log in.
EXPECTED = {
    ("list", "get"): {**READER, **NO_ROLE},
    # The list only reads; any signed-in user is told so before the team is looked up.
    ("list", "post"): dict.fromkeys(PERSONAS, 405),
    ("create", "get"): {**SECRETARY_ONLY, "secretary": 200, **NO_ROLE},
    ("create", "post"): {**SECRETARY_ONLY, "secretary": 302, **NO_ROLE},
    ("update", "get"): {**SECRETARY_ONLY, "secretary": 200, **NO_ROLE},
    ("update", "post"): {**SECRETARY_ONLY, "secretary": 302, **NO_ROLE},
    ("leave", "get"): {**SECRETARY_ONLY, "secretary": 200, **NO_ROLE},
    ("leave", "post"): {**SECRETARY_ONLY, "secretary": 302, **NO_ROLE},
    ("rejoin", "get"): {**SECRETARY_ONLY, "secretary": 405, **NO_ROLE},
    ("rejoin", "post"): {**SECRETARY_ONLY, "secretary": 302, **NO_ROLE},
}

MATRIX = [
    (name, method, persona, status)
    for (name, method), statuses in EXPECTED.items()
    for persona, status in statuses.items()
]


def matrix_request(personas, roster, name: str, method: str, client: Client):
    member = roster["left"] if name == "rejoin" else roster["county"]
    if name in ("list", "create"):
        url = reverse(f"members:{name}", kwargs={"slug": SLUG})
    else:
        url = member_url(name, member)
    data = {
        "create": form_data(),
        "update": form_data(volunteer_number="A001"),
        "leave": {"left_on": "2018-12-31"},
        "rejoin": {},
        "list": {},
    }[name]
    if method == "get":
        return url, client.get(url)
    return url, client.post(url, data)


def test_matrix_covers_every_persona():
    for statuses in EXPECTED.values():
        assert set(statuses) == set(PERSONAS)


@pytest.mark.parametrize(("name", "method", "persona", "status"), MATRIX)
def test_permission_matrix(personas, roster, name, method, persona, status):
    before = list(Member.objects.order_by("pk").values())
    url, response = matrix_request(
        personas, roster, name, method, client_for(getattr(personas, persona) if persona else None)
    )
    assert response.status_code == status
    if persona != "secretary":
        assert list(Member.objects.order_by("pk").values()) == before


@pytest.mark.parametrize(("name", "method"), list(EXPECTED))
def test_anonymous_is_sent_to_log_in(personas, roster, name, method):
    before = list(Member.objects.order_by("pk").values())
    url, response = matrix_request(personas, roster, name, method, Client())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert list(Member.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("name", ["update", "leave", "rejoin"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_of_another_team_is_not_found_under_this_team(personas, roster, name, method):
    client = client_for(personas.secretary)
    url = member_url(name, roster["elsewhere"])
    response = client.get(url) if method == "get" else client.post(url, form_data())
    assert response.status_code == 404


def test_other_secretary_cannot_reach_our_member_through_their_team(personas, roster):
    client = client_for(personas.other_secretary)
    url = member_url("update", roster["county"], slug="other-team")
    assert client.get(url).status_code == 404
