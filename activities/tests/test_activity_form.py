"""The activity form's input handling: bad numbers and ids, the duplicate warning, big teams.

Everything here posts what a browser (or someone editing the request) could send
and checks that the answer is a clear message in Chinese with nothing saved, or
the activity saved exactly as meant; never an error page.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Activity, Participation
from activities.tests.factories import ActivityFactory, ParticipationFactory, create_url, errors_of
from activities.tests.factories import activity_form_data as form_data
from conftest import client_for
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(personas):
    return [
        MemberFactory(
            team=personas.team, name=f"队员{i:02d}", registered_on=datetime.date(2016, 3, 1)
        )
        for i in range(3)
    ]


# --- The duplicate warning ------------------------------------------------------------------


DUPLICATE_SENTENCE = (
    "同一天已登记了名称相近的活动；如确为另一项活动，请勾选“这是另一项活动，仍要保存”后再次保存。"
)
DUPLICATE_LABEL = "这是另一项活动，仍要保存"


def test_duplicate_warning_is_one_sentence_and_one_label(personas, category, members):
    ActivityFactory(
        team=personas.team,
        category=category,
        title="重阳节走访慰问孤寡老人活动",
        start_date=datetime.date(2018, 10, 17),
    )
    response = client_for(personas.staff).post(create_url(personas), form_data(category, members))
    page = response.content.decode()
    assert response.status_code == 200
    summary = errors_of(page)
    # The sentence once, on its own: not glued to the tick-box label.
    assert summary.count(DUPLICATE_SENTENCE) == 1, summary
    assert f"{DUPLICATE_LABEL}：" not in summary
    label = re.search(
        r'<label class="form-check-label" for="id_confirm_duplicate">(.*?)</label>', page
    )
    assert label.group(1) == DUPLICATE_LABEL
    assert Activity.objects.count() == 1


def test_duplicate_warning_in_english(personas, category, members):
    ActivityFactory(
        team=personas.team,
        category=category,
        title="重阳节走访慰问孤寡老人活动",
        start_date=datetime.date(2018, 10, 17),
    )
    client = client_for(personas.staff)
    client.cookies["django_language"] = "en"
    page = client.post(create_url(personas), form_data(category, members)).content.decode()
    assert (
        "An activity with a similar title is already logged on the same day; if this is a "
        "different one, tick “This is a different activity; save it anyway” and save again."
    ) in page
    assert ">This is a different activity; save it anyway</label>" in page


# --- Hours that Decimal() accepts but a person did not mean ------------------------------------

ODD_HOURS = ["NaN", "sNaN", "Infinity", "-Infinity", "1e30", "1e-30", "1,5", "١٢", "４", "²"]


def assert_nothing_saved(response) -> str:
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert not Participation.objects.exists()
    return response.content.decode()


@pytest.mark.parametrize("value", ODD_HOURS)
def test_odd_activity_hours_are_refused_on_the_field(personas, category, members, value):
    response = client_for(personas.staff).post(
        create_url(personas), form_data(category, members, hours=value)
    )
    page = assert_nothing_saved(response)
    message = f"“{value}”不是有效的小时数：请用阿拉伯数字填写，最多一位小数，例如 4 或 2.5。"
    assert f"服务时长：{message}" in errors_of(page)
    # On the field itself too, and what was typed is still in the box.
    assert re.search(r'name="hours"[^>]*is-invalid', page) or 'id="error_1_id_hours"' in page
    assert f'name="hours" value="{value}"' in page


@pytest.mark.parametrize("value", ODD_HOURS)
def test_odd_participant_hours_are_refused_naming_the_member(personas, category, members, value):
    data = form_data(category, members)
    data[f"hours_{members[1].pk}"] = value
    response = client_for(personas.staff).post(create_url(personas), data)
    page = assert_nothing_saved(response)
    assert (
        f"队员01：“{value}”不是有效的小时数：请用阿拉伯数字填写，最多一位小数，例如 4 或 2.5。"
        in errors_of(page)
    )
    assert f'name="hours_{members[1].pk}" value="{value}"' in page
    # The member's box is marked, the others' are not.
    assert f'participant-hours is-invalid" name="hours_{members[1].pk}"' in page
    assert page.count("participant-hours is-invalid") == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "123456789012345678901234567890123",
            "服务时长：“123456789012345678901234567890123”小时数过大",
        ),
        ("2.55", "服务时长：确认小数不超过 1 位."),
    ],
)
def test_activity_hours_beyond_the_fields_digits_are_refused(
    personas, category, members, value, message
):
    response = client_for(personas.staff).post(
        create_url(personas), form_data(category, members, hours=value)
    )
    assert message in errors_of(assert_nothing_saved(response))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "123456789012345678901234567890123",
            "队员01：“123456789012345678901234567890123”小时数过大",
        ),
        ("0.000000000000000000000000000000001", "队员01：时长最多保留一位小数。"),
    ],
)
def test_participant_hours_beyond_the_fields_digits_are_refused(
    personas, category, members, value, message
):
    data = form_data(category, members)
    data[f"hours_{members[1].pk}"] = value
    response = client_for(personas.staff).post(create_url(personas), data)
    assert message in errors_of(assert_nothing_saved(response))


@pytest.mark.parametrize("value", ["2.5", " 2.5 ", "2.50", ".5", "3"])
def test_ordinary_participant_hours_are_taken(personas, category, members, value):
    data = form_data(category, members)
    data[f"hours_{members[1].pk}"] = value
    response = client_for(personas.staff).post(create_url(personas), data)
    assert response.status_code == 302, errors_of(response.content.decode())
    participation = Participation.objects.get(member=members[1])
    assert participation.hours == Decimal(value.strip())


# --- The organising unit and the organiser tick boxes ------------------------------------------


def test_only_the_unit_box_posts_as_organiser(personas, members):
    page = client_for(personas.staff).get(create_url(personas)).content.decode()
    assert page.count('name="organiser"') == 1
    assert re.search(r'<input type="text" name="organiser"', page)
    for member in members:
        assert f'name="organiser_member" value="{member.pk}"' in page


def test_ticking_organisers_keeps_the_unit_typed(personas, category, members):
    # What a browser sends: the unit's text box, then the ticked boxes.
    data = form_data(category, members, organiser_member=[str(members[2].pk)])
    response = client_for(personas.staff).post(create_url(personas), data)
    assert response.status_code == 302, errors_of(response.content.decode())
    activity = Activity.objects.get()
    assert activity.organiser == "机关党委"
    roles = dict(activity.participations.values_list("member_id", "role"))
    assert roles == {
        members[0].pk: Participation.Role.PARTICIPANT,
        members[1].pk: Participation.Role.PARTICIPANT,
        members[2].pk: Participation.Role.ORGANISER,
    }


def test_organisers_are_shown_ticked_again_after_an_error(personas, category, members):
    data = form_data(category, members, hours="", organiser_member=[str(members[1].pk)])
    page = client_for(personas.staff).post(create_url(personas), data).content.decode()
    assert re.search(rf'name="organiser_member" value="{members[1].pk}"[^>]*checked', page)
    assert not re.search(rf'name="organiser_member" value="{members[0].pk}"[^>]*checked', page)


# --- Ids in tick boxes: ASCII digits only ------------------------------------------------------

ODD_IDS = ["²", "¹²", "٣", "①", "１", "9" * 19, "9" * 5000]


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize("box", ["participant", "organiser_member"])
def test_odd_ids_in_the_picker_are_refused_with_a_message(personas, category, members, box, value):
    data = form_data(category, members)
    data[box] = [*data.get(box, []), value]
    response = client_for(personas.staff).post(create_url(personas), data)
    page = assert_nothing_saved(response)
    assert "有勾选的队员无法识别，请重新勾选。" in errors_of(page)
    # The readable ticks are kept.
    for member in members:
        assert re.search(rf'name="participant" value="{member.pk}"[^>]*checked', page)


def test_an_id_in_other_digits_does_not_choose_that_member(personas, category, members):
    # "١٢" is 12 to int(); it must not tick member 12 (or any other).
    arabic = "".join(chr(0x0660 + int(d)) for d in str(members[0].pk))
    data = form_data(category, members[1:], participant=[str(members[1].pk), arabic])
    response = client_for(personas.staff).post(create_url(personas), data)
    assert_nothing_saved(response)


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_ids_in_the_bulk_approval_are_refused_with_a_message(personas, value):
    activity = ParticipationFactory(
        activity__team=personas.team,
        activity__status="submitted",
        member__team=personas.team,
    ).activity
    response = client_for(personas.secretary).post(
        reverse("activities:bulk", args=[personas.team.slug]),
        {"action": "approve", "activity": [str(activity.pk), value]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert "有勾选的活动无法识别，请重新勾选。" in shown
    activity.refresh_from_db()
    assert activity.status == "submitted"


# --- Big teams -------------------------------------------------------------------------------


def test_a_2000_member_team_can_log_an_activity_with_everyone(personas, category):
    from members.models import Member

    Member.objects.bulk_create(
        Member(
            team=personas.team,
            volunteer_number=f"B{i:06d}",
            name=f"队员{i:04d}",
            gender="male",
            registered_on=datetime.date(2016, 3, 1),
        )
        for i in range(2000)
    )
    members = list(Member.objects.filter(volunteer_number__startswith="B").order_by("pk"))
    client = client_for(personas.staff)
    page = client.get(create_url(personas)).content.decode()
    assert page.count('name="participant"') == 2001  # and the persona's volunteer
    # What the browser sends: every row's hours box, most of them empty.
    data = form_data(category, members, organiser_member=[str(m.pk) for m in members[:3]])
    for member in members:
        data[f"hours_{member.pk}"] = ""
    for member in members[:10]:
        data[f"hours_{member.pk}"] = "2.5"
    response = client.post(create_url(personas), data)
    assert response.status_code == 302, response.content[:500]
    activity = Activity.objects.get()
    assert activity.participations.count() == 2000
    hours = dict(activity.participations.values_list("member_id", "hours"))
    assert [hours[m.pk] for m in members[:11]] == [Decimal("2.5")] * 10 + [Decimal("4")]
    assert sorted(
        activity.participations.filter(role=Participation.Role.ORGANISER).values_list(
            "member_id", flat=True
        )
    ) == [m.pk for m in members[:3]]
    assert activity.organiser == "机关党委"


def test_lowering_an_activitys_hours_lowers_its_participants_default_hours(
    personas, category, members
):
    """4 hours with three participants at the default (4); edited to 3: saved, and the
    participants follow (the model's check against the stored hours is for the admin)."""
    client = client_for(personas.staff)
    client.post(create_url(personas), form_data(category, members))
    activity = Activity.objects.get()
    assert set(activity.participations.values_list("hours", flat=True)) == {Decimal("4.0")}
    response = client.post(
        reverse("activities:update", args=[personas.team.slug, activity.pk]),
        form_data(category, members, hours="3"),
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    activity.refresh_from_db()
    assert activity.hours == Decimal("3.0")
    assert set(activity.participations.values_list("hours", flat=True)) == {Decimal("3.0")}
