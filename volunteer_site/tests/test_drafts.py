"""A form saved after the session expired comes back, unsaved, after logging in again.

Wired into the activity form (activities/views.py: activity_edit). The session
"expires" here as it does for the browser: its row is gone (or its cookie
dropped), and the next request arrives without a user.
"""

import datetime
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import activity_form_data
from conftest import PASSWORD
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site import drafts

pytestmark = pytest.mark.django_db

EXPIRED = "会话已超时，请重新登录"
RESTORED = "已恢复您超时前填写的内容，请检查后保存"


@pytest.fixture
def members(personas):
    return [
        MemberFactory(team=personas.team, name=f"队员{i}", registered_on=datetime.date(2016, 3, 1))
        for i in range(3)
    ]


def form_data(members) -> dict:
    return activity_form_data(
        ServiceCategoryFactory(name="献爱心送温暖"),
        members[:2],
        **{f"hours_{members[0].pk}": "2.5", "organiser_member": [str(members[1].pk)]},
    )


def log_in(client: Client, username: str, next_url: str = ""):
    """Through the login page, as a person does (it sets the owner cookie)."""
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def expire(client: Client) -> None:
    """The idle timeout: the session is gone on the server."""
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()


def save_after_expiry(personas, members, client: Client | None = None, username="staff"):
    """Log in, let the session expire, save the form: the response and the client."""
    client = client or Client()
    assert log_in(client, username).status_code == 302
    create = reverse("activities:create", args=[personas.team.slug])
    client.get(create)
    expire(client)
    response = client.post(create, form_data(members))
    return response, client


def next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_an_expired_session_keeps_the_form_and_says_so_on_the_login_page(personas, members):
    response, client = save_after_expiry(personas, members)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    next_url = next_of(response)
    assert next_url.startswith(reverse("activities:create", args=[personas.team.slug]) + "?draft=")
    assert not Activity.objects.exists()

    login_page = client.get(response["Location"]).content.decode()
    assert EXPIRED in login_page
    assert f'name="next" value="{next_url}"' in login_page


def test_after_logging_in_the_form_is_back_unsaved_then_saves(personas, members):
    response, client = save_after_expiry(personas, members)
    next_url = next_of(response)
    back = log_in(client, "staff", next_url)
    assert back["Location"] == next_url

    page = client.get(next_url)
    html = page.content.decode()
    assert RESTORED in [str(m) for m in page.context["messages"]]
    assert 'value="重阳节走访慰问孤寡老人"' in html
    assert "为老人打扫卫生、送去慰问品" in html
    assert re.search(rf'name="participant" value="{members[0].pk}"[^>]*checked', html)
    assert re.search(rf'name="participant" value="{members[1].pk}"[^>]*checked', html)
    assert not re.search(rf'name="participant" value="{members[2].pk}"[^>]*checked', html)
    assert f'name="hours_{members[0].pk}" value="2.5"' in html
    assert re.search(rf'name="organiser_member" value="{members[1].pk}"[^>]*checked', html)
    assert not Activity.objects.exists()  # shown, not saved

    # Saving it (the page posts back to its own address) stores it.
    saved = client.post(next_url, form_data(members))
    assert saved.status_code == 302
    activity = Activity.objects.get()
    assert activity.title == "重阳节走访慰问孤寡老人"
    assert activity.participations.count() == 2


def test_the_draft_is_given_back_once(personas, members):
    response, client = save_after_expiry(personas, members)
    next_url = next_of(response)
    log_in(client, "staff", next_url)
    assert "重阳节走访慰问孤寡老人" in client.get(next_url).content.decode()
    assert "重阳节走访慰问孤寡老人" not in client.get(next_url).content.decode()


def test_another_user_logging_in_does_not_see_the_draft(personas, members):
    response, client = save_after_expiry(personas, members)
    next_url = next_of(response)
    log_in(client, "secretary", next_url)  # the secretary may open the form too
    page = client.get(next_url)
    assert "重阳节走访慰问孤寡老人" not in page.content.decode()
    assert RESTORED not in [str(m) for m in page.context["messages"]]
    assert drafts.SESSION_KEY not in client.session
    # Nor does the one who typed it, later, in a session the secretary left.
    log_in(client, "staff", next_url)
    assert "重阳节走访慰问孤寡老人" not in client.get(next_url).content.decode()


def test_without_knowing_who_typed_it_the_next_login_gets_it_for_a_few_minutes(
    personas, members, monkeypatch
):
    response, client = save_after_expiry(personas, members)
    [draft] = client.session[drafts.SESSION_KEY].values()
    assert draft["owner"] == personas.staff.pk  # known from the login page's cookie
    # The same, with the owner cookie gone (another login route, a cleared cookie):
    client = Client()
    client.force_login(personas.staff)
    create = reverse("activities:create", args=[personas.team.slug])
    client.get(create)
    expire(client)
    response = client.post(create, form_data(members))
    [draft] = client.session[drafts.SESSION_KEY].values()
    assert draft["owner"] is None
    later = time.time() + drafts.UNOWNED_MINUTES * 60 + 1
    monkeypatch.setattr(drafts.time, "time", lambda: later)
    log_in(client, "staff", next_of(response))
    assert "重阳节走访慰问孤寡老人" not in client.get(next_of(response)).content.decode()

    monkeypatch.undo()
    client = Client()
    client.force_login(personas.staff)
    client.get(create)
    expire(client)
    response = client.post(create, form_data(members))
    log_in(client, "staff", next_of(response))
    assert "重阳节走访慰问孤寡老人" in client.get(next_of(response)).content.decode()


def test_the_csrf_token_is_not_kept(personas, members):
    client = Client(enforce_csrf_checks=True)
    log_in_page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', log_in_page).group(1)
    client.post(
        reverse("login"),
        {"username": "staff", "password": PASSWORD, "next": "", "csrfmiddlewaretoken": token},
    )
    create = reverse("activities:create", args=[personas.team.slug])
    form_page = client.get(create).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    expire(client)
    response = client.post(create, form_data(members) | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    [draft] = client.session[drafts.SESSION_KEY].values()
    names = {name for name, _ in draft["fields"]}
    assert "csrfmiddlewaretoken" not in names
    assert {"title", "participant", "organiser_member"} <= names


def test_a_draft_comes_back_only_on_the_page_it_was_typed_on(personas, members):
    response, client = save_after_expiry(personas, members)
    token = parse_qs(urlsplit(next_of(response)).query)["draft"][0]
    log_in(client, "staff")
    activity = Activity.objects.create(
        team=personas.team,
        category=ServiceCategoryFactory(),
        title="另一项活动",
        start_date=datetime.date(2018, 5, 1),
        end_date=datetime.date(2018, 5, 1),
        hours=2,
    )
    other = reverse("activities:update", args=[personas.team.slug, activity.pk])
    assert "重阳节走访慰问孤寡老人" not in client.get(f"{other}?draft={token}").content.decode()


@pytest.mark.parametrize("token", ["", "nope", "²", "x" * 5000])
def test_odd_tokens_are_ignored(personas, members, token):
    response, client = save_after_expiry(personas, members)
    log_in(client, "staff")
    create = reverse("activities:create", args=[personas.team.slug])
    page = client.get(create, {"draft": token})
    assert page.status_code == 200
    assert "重阳节走访慰问孤寡老人" not in page.content.decode()


def test_an_anonymous_get_goes_to_log_in_without_the_expiry_message(personas):
    client = Client()
    create = reverse("activities:create", args=[personas.team.slug])
    response = client.get(create)
    assert response.status_code == 302
    assert next_of(response) == create
    assert EXPIRED not in client.get(response["Location"]).content.decode()


def test_the_expiry_message_in_english(personas, members):
    response, client = save_after_expiry(personas, members)
    client.cookies["django_language"] = "en"
    page = client.get(response["Location"]).content.decode()
    assert "Your session has expired; please log in again" in page
