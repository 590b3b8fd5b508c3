"""Look-alike volunteer numbers and names: what looks the same is the same member.

Full-width letters and digits (“Ｖ００１”), zero-width characters (“V001\u200b”)
and bidirectional controls are folded away (``volunteer_site.names``) before a
number is checked for uniqueness or looked up, in the roster form, the services
and both imports.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from activities.imports import activity_import_plan
from activities.tests.test_imports import activity, participation, workbook
from members.imports import RowStatus, member_import_plan
from members.models import Gender, Member
from members.services import member_create, member_update
from members.tests.factories import MemberFactory
from members.tests.test_imports import row, xlsx
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site.names import normalise_name

pytestmark = pytest.mark.django_db

LOOK_ALIKES = {
    "full-width": "Ｖ００１",
    "zero-width-space": "V001\u200b",
    "zero-width-joiner": "V0\u200d01",
    "byte-order-mark": "\ufeffV001",
    "word-joiner": "V00\u20601",
    "right-to-left-override": "\u202eV001\u202c",
    "isolate": "\u2066V001\u2069",
    "ideographic-space": "\u3000V001\u3000",
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=list(LOOK_ALIKES))
def test_look_alikes_normalise_to_the_plain_number(text):
    assert normalise_name(text) == "V001"


def test_names_keep_their_inner_spaces_and_their_script():
    assert normalise_name(" 阿旺·次仁\u200b ") == "阿旺·次仁"
    assert normalise_name("Anna Maria") == "Anna Maria"
    assert normalise_name("扎西") == "扎西"


@pytest.fixture
def v001(personas):
    return MemberFactory(team=personas.team, volunteer_number="V001", name="扎西")


def secretary(personas) -> Client:
    client = Client()
    client.force_login(personas.secretary)
    return client


FORM = {
    "name": "格桑卓玛",
    "gender": Gender.FEMALE,
    "cadre_rank": "general",
    "registered_on": "2016-03-01",
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=list(LOOK_ALIKES))
def test_the_form_refuses_a_look_alike_of_a_registered_number(personas, v001, text):
    url = reverse("members:create", kwargs={"slug": personas.team.slug})
    response = secretary(personas).post(url, {**FORM, "volunteer_number": text})
    assert response.status_code == 200
    assert "V001 已被注册" in " ".join(response.context["form"].errors["volunteer_number"])
    assert Member.objects.filter(team=personas.team).count() == 2  # v001 and the volunteer


def test_the_form_stores_numbers_and_names_normalised(personas):
    url = reverse("members:create", kwargs={"slug": personas.team.slug})
    secretary(personas).post(
        url, {**FORM, "volunteer_number": "Ｖ００２\u200b", "name": "格桑\u200d卓玛"}
    )
    member = Member.objects.get(volunteer_number="V002")
    assert member.name == "格桑卓玛"


def test_the_edit_form_keeps_its_own_number_in_another_form(personas, v001):
    url = reverse("members:update", kwargs={"slug": personas.team.slug, "pk": v001.pk})
    response = secretary(personas).post(url, {**FORM, "volunteer_number": "Ｖ００１"})
    assert response.status_code == 302
    v001.refresh_from_db()
    assert v001.volunteer_number == "V001"


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=list(LOOK_ALIKES))
def test_the_services_refuse_a_look_alike_of_a_registered_number(personas, v001, text):
    with pytest.raises(ValidationError) as refused:
        member_create(
            team=personas.team,
            volunteer_number=text,
            name="另一个人",
            gender=Gender.MALE,
            registered_on=datetime.date(2016, 3, 1),
            by=None,
        )
    assert "volunteer_number" in refused.value.message_dict


def test_the_services_store_numbers_and_names_normalised(personas, v001):
    member = member_create(
        team=personas.team,
        volunteer_number="\ufeffV003",
        name="\u202e次仁",
        gender=Gender.MALE,
        registered_on=datetime.date(2016, 3, 1),
        by=None,
    )
    member.refresh_from_db()
    assert (member.volunteer_number, member.name) == ("V003", "次仁")
    member_update(member=v001, by=None, name="扎西\u200b")
    v001.refresh_from_db()
    assert v001.name == "扎西"


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=list(LOOK_ALIKES))
def test_the_roster_import_matches_a_look_alike_to_the_registered_member(personas, v001, text):
    plan = member_import_plan(
        team=personas.team, data=xlsx([row(text, name="扎西")]), filename="x.xlsx"
    )
    [only] = plan.rows
    assert only.member == v001, only.errors
    assert only.status in (RowStatus.UPDATE, RowStatus.UNCHANGED)
    assert only.merged["volunteer_number"] == "V001"


def test_the_roster_import_refuses_a_look_alike_of_another_teams_number(personas):
    MemberFactory(team=personas.other_team, volunteer_number="V001")
    plan = member_import_plan(team=personas.team, data=xlsx([row("Ｖ００１")]), filename="x.xlsx")
    assert plan.rows[0].status == RowStatus.ERROR
    assert "V001 已被注册" in plan.rows[0].errors[0].message


def test_the_roster_import_sees_look_alikes_in_one_file_as_the_same_number(personas):
    plan = member_import_plan(
        team=personas.team, data=xlsx([row("V009"), row("V009\u200b")]), filename="x.xlsx"
    )
    assert [r.status for r in plan.rows] == [RowStatus.ERROR, RowStatus.ERROR]


def test_the_roster_import_stores_names_normalised(personas):
    plan = member_import_plan(
        team=personas.team, data=xlsx([row("V010", name="\u200b卓玛 ")]), filename="x.xlsx"
    )
    assert plan.rows[0].merged["name"] == "卓玛"


def test_the_activity_import_finds_a_member_by_a_look_alike(personas):
    ServiceCategoryFactory(name="扶贫帮困")
    MemberFactory(team=personas.team, volunteer_number="A001", name="扎西")
    MemberFactory(team=personas.team, volunteer_number="A002", name="卓玛")
    data = workbook(
        [activity("K1")],
        [participation("K1", "Ａ００１"), participation("K1", None, name="卓\u200b玛")],
    )
    plan = activity_import_plan(team=personas.team, data=data, filename="活动.xlsx")
    assert not plan.has_errors, [e.message for r in plan.participations for e in r.errors]
    assert {p.member.volunteer_number for p in plan.participations} == {"A001", "A002"}


def test_the_roster_search_finds_a_member_by_a_look_alike(personas, v001):
    url = reverse("members:list", kwargs={"slug": personas.team.slug})
    response = secretary(personas).get(url, {"q": "Ｖ００１\u200b"})
    assert [m.volunteer_number for m in response.context["page_obj"]] == ["V001"]


def test_the_data_check_lists_then_fixes_stored_look_alikes_but_not_duplicates(personas, v001):
    """Rows stored before the normalisation: written past the services on purpose."""
    free = MemberFactory(team=personas.team, volunteer_number="V005", name="次仁")
    twin = MemberFactory(team=personas.team, volunteer_number="V006", name="卓玛")
    Member.objects.filter(pk=free.pk).update(volunteer_number="Ｖ００５", name="次仁\u200b")
    Member.objects.filter(pk=twin.pk).update(volunteer_number="V001\u200b")

    listed = StringIO()
    call_command("member_names", stdout=listed)
    assert "2 member(s)" in listed.getvalue() and "0 fixed" in listed.getvalue()
    free.refresh_from_db()
    assert free.volunteer_number == "Ｖ００５"  # listing changes nothing

    applied = StringIO()
    call_command("member_names", "--apply", stdout=applied)
    free.refresh_from_db()
    twin.refresh_from_db()
    assert (free.volunteer_number, free.name) == ("V005", "次仁")
    assert free.history.first().volunteer_number == "V005"
    assert twin.volunteer_number == "V001\u200b"  # a person decides which is the volunteer
    assert "DUPLICATE" in applied.getvalue() and "1 fixed" in applied.getvalue()


def test_the_service_record_box_finds_a_member_by_a_look_alike(personas, v001):
    url = reverse("records:find", kwargs={"slug": personas.team.slug})
    response = secretary(personas).get(url, {"member": "Ｖ００１\u200b", "year": 2018})
    record = reverse("records:export", kwargs={"slug": personas.team.slug, "pk": v001.pk})
    assert response["Location"] == f"{record}?year=2018"
