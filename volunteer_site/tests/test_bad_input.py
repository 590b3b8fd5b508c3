"""Bad input everywhere: never a 500, always a Chinese message, nothing saved.

Characters no person types (NUL), numbers no form means (NaN, 1e30), text far
longer than any field, look-alike Unicode, and files that are not what they
claim, posted to every form a user can reach and sent in every query string.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from members.models import Member
from volunteer_site.tests.test_permissions import EXPECTED, PERSONAS, url_for

pytestmark = pytest.mark.django_db

REFUSED_CHARACTERS = "请求包含无效字符"
URLENCODED = "application/x-www-form-urlencoded"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- NUL in query strings, form fields and cookies ---------------------------------------------
# PostgreSQL cannot hold NUL in text ("A string literal cannot contain NUL"), so
# one reaching a query was a 500 there. The middleware refuses such a request
# (400, in Chinese) before anything else reads it.

NUL_URLS = {
    "activity-export": ("activity_io:export", "team", "secretary", "q=%00"),
    "member-export": ("member_io:export", "team", "secretary", "q=%00"),
    "region-export": ("regions:export", "", "region_admin", "q=%00"),
    "my-record": ("members:my_record", "", "volunteer", "year=%00"),
    "record-find": ("member_io:record_find", "team", "secretary", "member=%00"),
    "region-host-unit": ("regions:overview", "", "region_admin", "host_unit=%00"),
    "region-compare": ("regions:compare", "", "region_admin", "team=%00"),
    "roster-search": ("members:list", "team", "secretary", "q=%00"),
    "activity-search": ("activities:list", "team", "staff", "q=a%00b"),
    "nul-in-a-name": ("members:list", "team", "secretary", "q%00=1"),
}


@pytest.mark.parametrize("case", NUL_URLS, ids=list(NUL_URLS))
def test_nul_in_a_query_string_is_refused_with_a_chinese_message(personas, case):
    name, kind, persona, query = NUL_URLS[case]
    url = url_for(name, kind, personas)
    response = logged_in(getattr(personas, persona)).get(f"{url}?{query}")
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()


def _sweep_cases():
    for name, (method, kind, statuses) in EXPECTED.items():
        if method != "get":
            continue
        allowed = [persona for persona in PERSONAS if statuses.get(persona, 404) == 200]
        yield pytest.param(name, kind, allowed[0] if allowed else None, id=name)


@pytest.mark.parametrize(("name", "kind", "persona"), list(_sweep_cases()))
def test_no_page_fails_on_nul_in_its_query_string(personas, name, kind, persona):
    """Every GET page of the permission matrix, as someone who may see it (or anonymous)."""
    url = url_for(name, kind, personas)
    client = logged_in(getattr(personas, persona)) if persona else Client()
    response = client.get(f"{url}?q=%00&page=%00&year=%00")
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()
    # The same page without the NUL still answers as the matrix says.
    assert client.get(url).status_code != 500


MEMBER = {
    "volunteer_number": "NUL1",
    "name": "扎西",
    "gender": "male",
    "cadre_rank": "general",
    "registered_on": "2018-01-05",
}


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_nul_in_a_posted_form_field_is_refused_and_nothing_is_saved(personas, encoding):
    client = logged_in(personas.secretary)
    url = reverse("members:create", kwargs={"slug": personas.team.slug})
    data = {**MEMBER, "name": "扎西\x00"}
    if encoding == "urlencoded":
        response = client.post(url, urlencode(data), content_type=URLENCODED)
    else:
        response = client.post(url, data)
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()
    assert not Member.objects.filter(volunteer_number="NUL1").exists()


def test_nul_in_a_login_attempt_is_refused(personas):
    body = urlencode({"username": "staff\x00", "password": "x"})
    response = Client().post(reverse("login"), body, content_type=URLENCODED)
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()


def test_nul_in_a_cookie_is_refused(personas):
    client = logged_in(personas.secretary)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get(reverse("home"))
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()


def test_nul_in_the_path_is_refused(personas):
    response = logged_in(personas.secretary).get("/teams/our-team%00/members/")
    assert response.status_code == 400


def test_the_import_upload_body_is_left_to_its_view(personas, settings, tmp_path):
    """The middleware does not read an upload's body: the view sets its size limit first."""
    settings.IMPORT_STAGING_DIR = tmp_path
    url = reverse("member_io:import", kwargs={"slug": personas.team.slug})
    response = logged_in(personas.secretary).post(
        url, {"file": SimpleUploadedFile("a.xlsx", b"not a workbook"), "note": "\x00"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]  # the view's own message


def test_tabs_and_line_breaks_in_a_form_are_not_refused(personas):
    """Other control characters come with pasted text (Word's line break is a
    vertical tab): they are the form's business, not a reason to lose the form."""
    client = logged_in(personas.secretary)
    url = reverse("members:list", kwargs={"slug": personas.team.slug})
    assert client.get(url, {"q": "扎西\t"}).status_code == 200
    response = client.post(
        reverse("members:create", kwargs={"slug": personas.team.slug}),
        urlencode({"volunteer_number": "TAB1", "name": "扎\x0b西", "gender": "nope"}),
        content_type=URLENCODED,
    )
    assert response.status_code == 200  # the form again, with its messages
