"""The activity form's input handling: bad numbers and ids, the duplicate warning, big teams.

Everything here posts what a browser (or someone editing the request) could send
and checks that the answer is a clear message in Chinese with nothing saved, or
the activity saved exactly as meant; never an error page.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def category():
    return ServiceCategoryFactory(name="献爱心送温暖")


@pytest.fixture
def members(personas):
    return [
        MemberFactory(
            team=personas.team, name=f"队员{i:02d}", registered_on=datetime.date(2016, 3, 1)
        )
        for i in range(3)
    ]


def form_data(category, members, **overrides) -> dict:
    data = {
        "category": category.pk,
        "title": "重阳节走访慰问孤寡老人",
        "start_date": "2018-10-17",
        "end_date": "2018-10-17",
        "hours": "4",
        "place": "桑珠孜区",
        "organiser": "机关党委",
        "content": "为老人打扫卫生、送去慰问品",
        "people_reached": "35",
        "materials_distributed": "200",
        "households_visited": "12",
        "donation_yuan": "0",
        "other_outcomes": "",
        "participant": [str(m.pk) for m in members],
        "save": "",
    }
    data.update(overrides)
    return data


def create_url(personas) -> str:
    return reverse("activities:create", args=[personas.team.slug])


def errors_of(page: str) -> str:
    """The text of the form's error summary (empty when there is none)."""
    found = re.search(r'id="form-errors".*?</div>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(0)) if found else ""


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
