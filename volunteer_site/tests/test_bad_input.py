"""Bad input everywhere: never a 500, always a Chinese message, nothing saved.

Characters no person types (NUL), numbers no form means (NaN, 1e30), text far
longer than any field, look-alike Unicode, and files that are not what they
claim, posted to every form a user can reach and sent in every query string.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import ERROR, get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import PasswordResetRequest
from activities.models import Activity, ActivityStatus, MonthlyReview
from activities.tests.factories import ActivityFactory
from compliance.months import default_review_month
from conftest import PASSWORD
from members.models import Member
from members.tests.factories import MemberFactory
from teams.models import ErrorReport, Team
from teams.tests.factories import ServiceCategoryFactory
from volunteer_site.tests.test_permissions import EXPECTED, PERSONAS, url_for

pytestmark = pytest.mark.django_db

REFUSED_CHARACTERS = "请求包含无效字符"
URLENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def personas(personas_kept):
    """Made once for the module: most of its many short tests' time was making them."""
    return personas_kept


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
    "my-record": ("records:mine", "", "volunteer", "year=%00"),
    "record-find": ("records:find", "team", "secretary", "member=%00"),
    "region-host-unit": ("regions:overview", "", "region_admin", "host_unit=%00"),
    "region-compare": ("regions:compare", "", "region_admin", "team=%00"),
    "roster-search": ("members:list", "team", "secretary", "q=%00"),
    "roster-star": ("members:list", "team", "secretary", "star=%00"),
    "activity-search": ("activities:list", "team", "staff", "q=a%00b"),
    "nul-in-a-name": ("members:list", "team", "secretary", "q%00=1"),
    "roster-week": ("rosters:week", "planned", "staff", "week=2026-W4%00"),
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


# --- The public directory's query string (anonymous visitors, at /) --------------------------
# Nothing typed into the address fails the page: what cannot be used is dropped, with a
# notice where the visitor chose something (docs/domain.md § The public team profile).

REGION_NOTICE = "所选地区没有已公开的队伍，现显示全部地区的队伍。"
CATEGORY_NOTICE = "没有已公开的队伍开展所选的服务项目，现显示全部服务项目的队伍。"
DIRECTORY_QUERIES = {
    "page-nan": ("page=NaN", ""),
    "page-huge": (f"page={10**30}", ""),
    "page-5000-digits": ("page=" + "9" * 5000, ""),
    "page-full-width": ("page=%EF%BC%92", ""),
    "region-nan": ("region=NaN", REGION_NOTICE),
    "region-infinity": ("region=inf", REGION_NOTICE),
    "region-huge": ("region=" + "9" * 5000, REGION_NOTICE),
    "region-negative": ("region=-1", REGION_NOTICE),
    "category-unknown": ("category=424242", CATEGORY_NOTICE),
    "category-nan": ("category=NaN", CATEGORY_NOTICE),
    "q-5000-characters": ("q=" + "队" * 5000, "搜索内容过长，只按前100个字搜索。"),
    "q-full-width": ("q=%EF%BC%A1%EF%BC%A2", ""),
    "q-zero-width": ("q=%E2%80%8B", ""),
    "sort-unknown": ("sort=%27%3BDROP%20TABLE", ""),
}


@pytest.mark.parametrize("case", DIRECTORY_QUERIES, ids=list(DIRECTORY_QUERIES))
def test_bad_directory_queries_show_the_directory(personas, case):
    query, notice = DIRECTORY_QUERIES[case]
    response = Client().get(f"/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="directory-filters"' in page
    if notice:
        assert notice in page


def test_a_region_in_full_width_digits_filters_the_directory(personas):
    Team.objects.filter(pk__in=[personas.team.pk, personas.other_team.pk]).update(is_published=True)
    full_width = str(personas.region.pk).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    page = Client().get("/?" + urlencode({"region": full_width})).content.decode()
    assert 'data-team="our-team"' in page
    assert 'data-team="other-team"' not in page
    assert REGION_NOTICE not in page


def test_nul_in_the_directory_search_is_refused(personas):
    response = Client().get("/?q=%E6%89%8E%00")
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.content.decode()


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


# --- Request bodies over the limit ------------------------------------------------------------
# Refused by their Content-Length before the body is read: the stream below
# fails the test if anything reads it.

MB = 1024 * 1024
IMPORT_UPLOADS = ["member_io:import", "activity_io:import"]


def upload_file(client: Client, name: str, data: bytes, filename: str = "炸弹.xlsx"):
    url = reverse(name, kwargs={"slug": "our-team"})
    started = time.monotonic()
    response = client.post(url, {"file": SimpleUploadedFile(filename, data)})
    return response, time.monotonic() - started


class UnreadableBody:
    def read(self, *args):
        raise AssertionError("the body of an oversized request was read")

    readline = read


def post_declaring(client: Client, url: str, length: int):
    started = time.monotonic()
    # Without data the test client sets neither the length nor the type: set both.
    response = client.post(
        url,
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )
    return response, time.monotonic() - started


def test_an_anonymous_300_mb_post_is_refused_before_it_is_read():
    response, elapsed = post_declaring(Client(), reverse("login"), 300 * MB)
    assert response.status_code == 413
    text = response.content.decode()
    assert "300 MB" in text and "2.5 MB" in text
    assert "未保存" in text or "没有保存" in text
    assert elapsed < 5


def test_a_signed_in_form_over_the_limit_is_refused(personas, settings):
    url = reverse("members:create", kwargs={"slug": personas.team.slug})
    response, _elapsed = post_declaring(
        logged_in(personas.secretary), url, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    )
    assert response.status_code == 413
    assert (
        not Member.objects.filter(team=personas.team)
        .exclude(pk=personas.volunteer_member.pk)
        .exists()
    )


def test_an_import_upload_may_carry_its_file_and_no_more(personas, settings):
    url = reverse("member_io:import", kwargs={"slug": personas.team.slug})
    client = logged_in(personas.secretary)
    response, _elapsed = post_declaring(client, url, settings.IMPORT_MAX_BYTES + 200 * 1024)
    assert response.status_code == 413
    assert "10 MB" in response.content.decode()  # the import's limit, not the form's
    # Above the forms' limit but within the import's: left to the upload view.
    with pytest.raises(AssertionError, match="was read"):
        post_declaring(client, url, settings.IMPORT_MAX_BYTES)


def test_the_activity_form_of_a_2000_member_team_is_far_below_the_limit(personas, settings):
    """Each ticked participant posts its id, hours and role; 2,000 of them with
    six-digit ids stay under a tenth of the limit, and are not refused."""
    ids = range(100000, 102000)
    body = urlencode(
        [("title", "走访慰问" * 50), ("content", "内容" * 1000)]
        + [
            (name, value)
            for pk in ids
            for name, value in (
                ("participant", str(pk)),
                (f"hours_{pk}", "12.5"),
                (f"organiser_member_{pk}", str(pk)),
            )
        ]
    )
    print(f"2,000 participants post {len(body) / 1024:.0f} KB")
    assert len(body) * 10 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    url = reverse("activities:create", kwargs={"slug": personas.team.slug})
    response = logged_in(personas.staff).post(url, body, content_type=URLENCODED)
    assert response.status_code != 413


# --- The sweep: every form a user can post ------------------------------------------------------
# Each form is posted as a browser does (URL-encoded) with one field spoiled:
# text fields get 100,000 characters and a NUL, number and date fields NaN, a
# 100,000-digit number, superscript digits and a NUL. The answer is the form
# again (or the middleware's page) with a Chinese message, never a 500, and
# nothing is saved.

CJK = re.compile(r"[\u4e00-\u9fff]")
TEXT_VALUES = {"huge": "长" * 100_000, "nul": "正常\x00"}
NUMBER_VALUES = {
    "nan": "NaN",
    "infinity": "Infinity",
    "huge": "9" * 100_000,
    "superscript": "²³",
    "nul": "1\x00",
}


@dataclass
class PostedForm:
    """A form as a user posts it: who, where, a valid payload, what must not change."""

    persona: str | None
    setup: Callable  # (personas) -> (url, valid data)
    text: tuple[str, ...]
    numbers: tuple[str, ...]
    state: Callable  # () -> what a refused post must leave as it was
    only_no_500: bool = False
    # Actions answer with a redirect and a message instead of the form again.
    redirects: bool = False


def _member_payload(**overrides) -> dict:
    return {
        "volunteer_number": "SWEEP1",
        "name": "格桑卓玛",
        "gender": "female",
        "ethnicity": "藏族",
        "is_party_member": "on",
        "party_joined_on": "2012-07-01",
        "cadre_rank": "section",
        "position": "科员",
        "phone": "13987654321",
        "email": "",
        "registered_on": "2016-03-01",
        **overrides,
    }


def _sweep_member(personas):
    return MemberFactory(
        team=personas.team, volunteer_number="SWEEP0", registered_on=datetime.date(2016, 3, 1)
    )


def _member_create(personas):
    return reverse("members:create", kwargs={"slug": "our-team"}), _member_payload()


def _member_update(personas):
    member = _sweep_member(personas)
    url = reverse("members:update", kwargs={"slug": "our-team", "pk": member.pk})
    return url, _member_payload(volunteer_number="SWEEP0")


def _member_leave(personas):
    member = _sweep_member(personas)
    url = reverse("members:leave", kwargs={"slug": "our-team", "pk": member.pk})
    return url, {"left_on": "2018-06-30", "reason": "调往其他单位"}


def _rules(personas):
    url = reverse("compliance:rules", kwargs={"slug": "our-team"})
    return url, {"min_activities_per_month": "2", "min_participations_per_member_year": "12"}


def _profile(personas):
    url = reverse("profiles:edit", kwargs={"slug": "our-team"})
    category = ServiceCategoryFactory(name="扶贫帮困")
    return url, {
        "name": "我们的志愿服务队",
        "founded_year": "2016",
        "founded_month": "3",
        "host_unit": "日喀则市人民政府办公室",
        "categories": str(category.pk),
        "lead_member": "",
        "lead_name": "张三",
        "lead_title": "办公室主任",
        "recommending_unit": "西藏自治区文明办",
        "main_deeds": "<p>坚持每月开展活动。</p>",
        "publication_source": "日喀则市文明办",
        "responsible_editor": "李四",
        "published_on": "2018-12-01",
    }


def _report(personas):
    Team.objects.filter(pk=personas.team.pk).update(is_published=True)
    return reverse("profiles:report", kwargs={"slug": "our-team"}), {
        "description": "第二段的时间写错了。",
        "contact": "13900000000",
        "website": "",
    }


def _login(personas):
    return reverse("login"), {"username": "staff", "password": PASSWORD}


def _activity(personas):
    category = ServiceCategoryFactory(name="扶贫帮困")
    member = personas.volunteer_member
    return reverse("activities:create", kwargs={"slug": "our-team"}), {
        "category": str(category.pk),
        "title": "走访慰问",
        "start_date": "2018-05-10",
        "end_date": "2018-05-10",
        "hours": "4",
        "place": "桑珠孜区",
        "organiser": "市政府办公室",
        "content": "走访慰问困难群众",
        "people_reached": "30",
        "materials_distributed": "100",
        "households_visited": "12",
        "donation_yuan": "2500",
        "other_outcomes": "",
        "participant": str(member.pk),
        f"hours_{member.pk}": "4",
    }


def _report_resolve(personas):
    report = ErrorReport.objects.create(team=personas.team, description="错别字", ip_hash="0" * 64)
    url = reverse("profiles:report_resolve", kwargs={"slug": "our-team", "pk": report.pk})
    return url, {"note": "已改正"}


def _review_sign(personas):
    year, month = default_review_month(timezone.localdate())
    url = reverse(
        "compliance:review_sign", kwargs={"slug": "our-team", "year": year, "month": month}
    )
    return url, {"comment": "已核对", "fingerprint": "0" * 64}


def _activity_return(personas):
    activity = ActivityFactory(team=personas.team, status=ActivityStatus.SUBMITTED)
    url = reverse("activities:return", kwargs={"slug": "our-team", "pk": activity.pk})
    return url, {"reason": "请补充参与人员"}


def _password_reset(personas):
    return reverse("accounts:password_reset"), {"email": "staff@example.org"}


def _password_reset_state():
    return list(PasswordResetRequest.objects.values()), len(mail.outbox)


def _login_way(action: str):
    def setup(personas):
        member = _sweep_member(personas)
        if action == "login_reset":
            member.user = User.objects.create_user(username="SWEEP0", password=PASSWORD)
            member.save()
        url = reverse(f"accounts:{action}", kwargs={"slug": "our-team", "pk": member.pk})
        return url, {"way": "code"}

    return setup


def _logins():
    return list(User.objects.order_by("pk").values()), _members()


def _members():
    return list(Member.objects.order_by("pk").values())


def _application_form(personas):
    from teams.models import TeamCategory
    from teams.tests.factories import ServiceCategoryFactory

    Team.objects.filter(pk=personas.team.pk).update(is_published=True)
    category = ServiceCategoryFactory(name="扶贫帮困")
    TeamCategory.objects.create(team=personas.team, category=category)
    return reverse("applications:apply", kwargs={"slug": "our-team"}), {
        "name": "次仁卓嘎",
        "gender": "female",
        "ethnicity": "藏族",
        "is_party_member": "on",
        "party_joined_on": "2015-07-01",
        "work_unit": "日喀则市教育局",
        "position": "科员",
        "phone": "13908921234",
        "email": "cirenzhuoga@example.com",
        "categories": str(category.pk),
        "consent_processing": "on",
        "website": "",
    }


def _application_approve(personas):
    from applications.tests.factories import ApplicationFactory

    application = ApplicationFactory(team=personas.team)
    url = reverse("applications:approve", kwargs={"slug": "our-team", "pk": application.pk})
    prefix = f"a{application.pk}-"
    return url, {
        prefix + "volunteer_number": "SWEEP9",
        prefix + "registered_on": "2026-11-30",
        prefix + "cadre_rank": "general",
    }


def _application_reject(personas):
    from applications.tests.factories import ApplicationFactory

    application = ApplicationFactory(team=personas.team)
    url = reverse("applications:reject", kwargs={"slug": "our-team", "pk": application.pk})
    return url, {f"r{application.pk}-reason": "名额已满"}


def _applications():
    from applications.models import Application

    return list(Application.objects.order_by("pk").values()), _members()


def _teams():
    return list(Team.objects.order_by("pk").values())


def _star_thresholds(personas):
    url = reverse("regions:stars_edit", kwargs={"pk": personas.region.pk})
    return url, {f"level_{i}": str(hours) for i, hours in enumerate((50, 150, 300, 500, 800), 1)}


def _star_thresholds_state():
    from stars.models import StarThresholds

    return list(StarThresholds.objects.values())


def _certificate_request(personas):
    return reverse("certificates:mine"), {
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "national_volunteer_id": "54000012345",
        "id_type": "resident_id",
        "id_number": "54020219900101123X",
        "remarks": "用于评优",
    }


def _certificate_issue(personas):
    return reverse("certificates:issue", kwargs={"slug": "our-team"}), {
        "member": str(personas.volunteer_member.pk),
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "national_volunteer_id": "",
        "contact": "0892-1234567",
        "remarks": "",
    }


def _certificate_revoke(personas):
    from certificates.tests.factories import issued_certificate

    certificate = issued_certificate(personas.volunteer_member)
    url = reverse("certificates:revoke", kwargs={"slug": "our-team", "pk": certificate.pk})
    return url, {"reason": "重复出具"}


def _certificates():
    from certificates.models import Certificate

    return list(Certificate.objects.order_by("pk").values())


def _planned_activity(personas):
    first = timezone.localdate() + datetime.timedelta(days=1)
    return reverse("planning:create", kwargs={"slug": "our-team"}), {
        "title": "火车站夜间巡逻",
        "category": str(ServiceCategoryFactory(team=personas.team).pk),
        "place": "日喀则火车站",
        "what_to_bring": "手电筒",
        "capacity": "8",
        "audience": "team",
        "first_date": first.isoformat(),
        "starts_at": "20:00",
        "ends_at": "24:00",
        "repeat": "monthly",
        "month_weekday": "SA",
        "end_date": (first + datetime.timedelta(days=90)).isoformat(),
    }


def _planned_activity_edit(personas):
    from planning.tests.factories import planned_of

    planned = planned_of(personas.team, rule="FREQ=WEEKLY;BYDAY=MO,WE", capacity=8)
    return reverse("planning:edit", kwargs={"slug": "our-team", "pk": planned.pk}), {
        "title": "火车站夜间巡逻（改）",
        "category": str(planned.category_id),
        "place": "日喀则火车站东门",
        "what_to_bring": "手电筒",
        "capacity": "10",
        "cutoff_hours": "4",
        "audience": "team",
        "first_date": planned.first_date.isoformat(),
        "starts_at": "19:30",
        "ends_at": "23:30",
        "repeat": "weekly",
        "weekdays": "FR",
        "end_date": "",
        "confirm": "yes",
    }


def _planned_activities():
    from planning.models import Occurrence, PlannedActivity

    return list(PlannedActivity.objects.values()), list(Occurrence.objects.values())


def _check_in(personas):
    from attendance.tests.factories import running_occurrence

    running_occurrence(personas.team, code="482913")  # its window is open
    return reverse("attendance:check_in"), {"code": "482913"}


def _attendance_mark(personas):
    from planning.tests.factories import occurrence_of

    occurrence = occurrence_of(personas.team)
    url = reverse("attendance:mark", kwargs={"slug": "our-team", "pk": occurrence.pk})
    return url, {"user": str(personas.volunteer.pk), "hours": "2.5", "note": "迟到半小时"}


def _attendances():
    from attendance.models import Attendance

    return list(Attendance.objects.values())


# Duty rosters (rosters/): groups, the roster's actions, swaps.
def _rosters_state():
    from rosters.models import DutyGroup, DutyGroupMember, DutyShift, SwapRequest
    from signups.models import SignUp

    return [
        list(model.objects.order_by("pk").values())
        for model in (DutyGroup, DutyGroupMember, DutyShift, SwapRequest, SignUp)
    ]


def _duty_group_create(personas):
    return reverse("rosters:groups", kwargs={"slug": "our-team"}), {"name": "第一组"}


def _duty_group_edit(personas):
    from rosters.tests.factories import group_of

    group = group_of(personas.team, "第一组", 1)
    member = _sweep_member(personas)
    url = reverse("rosters:group_edit", kwargs={"slug": "our-team", "pk": group.pk})
    return url, {"name": "巡逻一组", "members": str(member.pk)}


def _roster(personas):
    from rosters.tests.factories import group_of, member_with_login, next_monday, patrol
    from signups.services import assign

    planned = patrol(personas.team, first=next_monday(), days=1)
    occurrence = planned.occurrences.get()
    group = group_of(personas.team, "第一组", 1)
    member = member_with_login(personas.team, name="扎西")
    signup = assign(occurrence, member_with_login(personas.team).user, by=None)
    return planned, {
        "occurrence": str(occurrence.pk),
        "group": str(group.pk),
        "member": str(member.pk),
        "signup": str(signup.pk),
    }


def _roster_action(name: str, fields: tuple[str, ...]):
    def setup(personas):
        planned, ids = _roster(personas)
        url = reverse(f"rosters:{name}", kwargs={"slug": "our-team", "pk": planned.pk})
        if name == "rotate":
            from rosters.selectors import week_label

            return url, {"week": week_label(planned.first_date), "span": "week"}
        return url, {field: ids[field] for field in fields}

    return setup


def _swap_duties(personas):
    from rosters.tests.factories import member_with_login, next_monday, patrol
    from signups.services import assign

    planned = patrol(personas.team, first=next_monday(), days=2)
    mine, theirs = planned.occurrences.order_by("date")
    partner = member_with_login(personas.team, name="达瓦")
    assign(mine, personas.volunteer, by=None)
    assign(theirs, partner.user, by=None)
    return mine, theirs, partner


def _swap_request(personas):
    mine, theirs, partner = _swap_duties(personas)
    url = reverse("rosters:swap_create", kwargs={"pk": mine.pk})
    return url, {"partner": str(partner.pk), "partner_occurrence": str(theirs.pk)}


def _swap_reject(personas):
    from rosters.models import SwapRequest

    mine, _theirs, partner = _swap_duties(personas)
    swap = SwapRequest.objects.create(
        occurrence=mine, requester=personas.volunteer_member, partner=partner
    )
    url = reverse("rosters:swap_reject", kwargs={"slug": "our-team", "pk": swap.pk})
    return url, {"reason": "当天另有安排"}


# Sign-ups (signups/): staff add a member to an occurrence's list.
def _signup_assign(personas):
    from planning.tests.factories import occurrence_of

    occurrence = occurrence_of(personas.team)
    url = reverse("signups:assign", kwargs={"slug": "our-team", "pk": occurrence.pk})
    return url, {"member": str(personas.volunteer_member.pk)}


def _signups():
    from signups.models import CalendarFeed, SignUp

    return list(SignUp.objects.values()), list(CalendarFeed.objects.values())


# The participant picker names a participant's hours after the member.
PARTICIPANT_HOURS = "hours_<participant>"
MEMBER_TEXT = ("volunteer_number", "name", "ethnicity", "position", "work_unit", "phone", "email")
FORMS = {
    "login": PostedForm(
        None, _login, ("username", "password"), (), lambda: list(User.objects.values())
    ),
    "member-add": PostedForm(
        "secretary",
        _member_create,
        MEMBER_TEXT,
        ("registered_on", "party_joined_on", "gender", "cadre_rank"),
        _members,
    ),
    "member-edit": PostedForm(
        "secretary",
        _member_update,
        MEMBER_TEXT,
        ("registered_on", "party_joined_on", "gender", "cadre_rank"),
        _members,
    ),
    "member-leave": PostedForm("secretary", _member_leave, ("reason",), ("left_on",), _members),
    "team-rules": PostedForm(
        "secretary",
        _rules,
        (),
        ("min_activities_per_month", "min_participations_per_member_year"),
        _teams,
    ),
    "profile-edit": PostedForm(
        "secretary",
        _profile,
        (
            "name",
            "host_unit",
            "lead_name",
            "lead_title",
            "recommending_unit",
            "main_deeds",
            "publication_source",
            "responsible_editor",
        ),
        ("published_on", "lead_member", "founded_year", "founded_month", "categories"),
        _teams,
    ),
    "error-report": PostedForm(
        None,
        _report,
        ("description", "contact"),
        ("field",),
        lambda: list(ErrorReport.objects.values()),
    ),
    "report-resolve": PostedForm(
        "secretary",
        _report_resolve,
        ("note",),
        (),
        lambda: list(ErrorReport.objects.values()),
        redirects=True,
    ),
    "review-sign": PostedForm(
        "secretary",
        _review_sign,
        ("comment", "fingerprint"),
        (),
        lambda: list(MonthlyReview.objects.values()),
        redirects=True,
    ),
    "activity-return": PostedForm(
        "secretary",
        _activity_return,
        ("reason",),
        (),
        lambda: list(Activity.objects.values()),
        redirects=True,
    ),
    "application": PostedForm(
        None,
        _application_form,
        ("name", "ethnicity", "work_unit", "position", "phone", "email"),
        ("party_joined_on", "categories", "gender"),
        _applications,
    ),
    "application-approve": PostedForm(
        "secretary",
        _application_approve,
        ("<prefix>volunteer_number",),
        ("<prefix>registered_on", "<prefix>cadre_rank"),
        _applications,
    ),
    "application-reject": PostedForm(
        "secretary", _application_reject, ("<prefix>reason",), (), _applications
    ),
    "password-reset": PostedForm(None, _password_reset, ("email",), (), _password_reset_state),
    "login-create": PostedForm(
        "secretary", _login_way("login_create"), (), ("way",), _logins, redirects=True
    ),
    "login-reset": PostedForm(
        "secretary", _login_way("login_reset"), (), ("way",), _logins, redirects=True
    ),
    "star-thresholds": PostedForm(
        "region_admin",
        _star_thresholds,
        (),
        ("level_1", "level_2", "level_3", "level_4", "level_5"),
        _star_thresholds_state,
    ),
    "certificate-request": PostedForm(
        "volunteer",
        _certificate_request,
        ("national_volunteer_id", "id_number", "remarks"),
        ("period_start", "period_end", "id_type"),
        _certificates,
    ),
    "certificate-issue": PostedForm(
        "secretary",
        _certificate_issue,
        ("national_volunteer_id", "contact", "remarks"),
        ("member", "period_start", "period_end"),
        _certificates,
    ),
    "certificate-revoke": PostedForm(
        "secretary", _certificate_revoke, ("reason",), (), _certificates, redirects=True
    ),
    "planned-activity": PostedForm(
        "staff",
        _planned_activity,
        ("title", "place", "what_to_bring"),
        (
            "category",
            "capacity",
            "cutoff_hours",
            "audience",
            "first_date",
            "starts_at",
            "ends_at",
            "repeat",
            "month_weekday",
            "end_date",
        ),
        _planned_activities,
    ),
    "planned-activity-edit": PostedForm(
        "staff",
        _planned_activity_edit,
        ("title", "place", "what_to_bring"),
        (
            "category",
            "capacity",
            "cutoff_hours",
            "audience",
            "first_date",
            "starts_at",
            "ends_at",
            "repeat",
            "weekdays",
            "end_date",
        ),
        _planned_activities,
    ),
    "check-in": PostedForm("volunteer", _check_in, (), ("code",), _attendances),
    "attendance-mark": PostedForm(
        "staff",
        _attendance_mark,
        ("note",),
        ("user", "hours", "arrived", "left"),
        _attendances,
        redirects=True,
    ),
    # Duty rosters (rosters/).
    "duty-group-create": PostedForm("secretary", _duty_group_create, ("name",), (), _rosters_state),
    "duty-group-edit": PostedForm(
        "secretary", _duty_group_edit, ("name",), ("members",), _rosters_state
    ),
    "roster-put-group": PostedForm(
        "staff",
        _roster_action("put_group", ("occurrence", "group")),
        (),
        ("occurrence", "group"),
        _rosters_state,
        redirects=True,
    ),
    "roster-put-member": PostedForm(
        "staff",
        _roster_action("put_member", ("occurrence", "member")),
        (),
        ("occurrence", "member"),
        _rosters_state,
        redirects=True,
    ),
    "roster-take-off": PostedForm(
        "staff",
        _roster_action("take_off", ("signup",)),
        (),
        ("signup",),
        _rosters_state,
        redirects=True,
    ),
    "roster-rotate": PostedForm(
        "secretary",
        _roster_action("rotate", ()),
        ("week",),
        ("week", "span"),
        _rosters_state,
        redirects=True,
    ),
    "swap-request": PostedForm(
        "volunteer",
        _swap_request,
        (),
        ("partner", "partner_occurrence"),
        _rosters_state,
    ),
    "swap-reject": PostedForm(
        "secretary", _swap_reject, ("reason",), (), _rosters_state, redirects=True
    ),
    "signup-assign": PostedForm("staff", _signup_assign, (), ("member",), _signups),
    "activity-form": PostedForm(
        "staff",
        _activity,
        ("title", "place", "organiser", "content", "other_outcomes"),
        (
            "hours",
            "start_date",
            "end_date",
            "people_reached",
            "donation_yuan",
            "participant",
            PARTICIPANT_HOURS,
        ),
        lambda: list(Activity.objects.values()),
    ),
}


def _sweep():
    cases = [
        (form_name, field, kind, value_name)
        for form_name, form in FORMS.items()
        for kind, fields, values in (
            ("text", form.text, TEXT_VALUES),
            ("number", form.numbers, NUMBER_VALUES),
        )
        for field in fields
        for value_name in values
    ]
    for form_name, field, kind, value_name in cases:
        yield pytest.param(
            form_name,
            field,
            kind,
            value_name,
            id=f"{form_name}-{field}-{value_name}",
        )


def assert_refused_in_chinese(response, *, redirects: bool = False) -> None:
    if response.status_code == 400 and REFUSED_CHARACTERS in response.content.decode():
        return
    if redirects:
        assert response.status_code == 302, response.status_code
        told = [str(m) for m in get_messages(response.wsgi_request) if m.level == ERROR]
        assert told and all(CJK.search(message) for message in told), told
        return
    assert response.status_code in (200, 400, 429), response.status_code
    form = response.context["form"]
    messages = [message for errors in form.errors.values() for message in errors]
    # The activity form's participant picker keeps its own messages.
    selection = response.context.get("selection")
    messages += [str(message) for message in getattr(selection, "errors", [])]
    assert messages, "the form came back without a message"
    assert all(CJK.search(message) for message in messages), messages


@pytest.mark.parametrize(("form_name", "field", "kind", "value_name"), list(_sweep()))
def test_bad_input_is_refused_in_chinese_and_saves_nothing(
    personas, form_name, field, kind, value_name
):
    form = FORMS[form_name]
    url, data = form.setup(personas)
    client = logged_in(getattr(personas, form.persona)) if form.persona else Client()
    value = (TEXT_VALUES if kind == "text" else NUMBER_VALUES)[value_name]
    field = field.replace("<participant>", data.get("participant", ""))
    # The queue's forms are prefixed with the application's id (a12-, r12-).
    if "<prefix>" in field:
        suffix = field.removeprefix("<prefix>")
        field = next(name for name in data if name.endswith("-" + suffix))
    before = form.state()
    response = client.post(url, urlencode({**data, field: value}), content_type=URLENCODED)
    assert response.status_code != 500
    if form.only_no_500:
        return
    assert_refused_in_chinese(response, redirects=form.redirects)
    assert form.state() == before


def test_a_look_alike_user_name_does_not_log_in(personas):
    """Django folds full-width letters (NFKC) in user names; invisible ones are no name."""
    response = Client().post(
        reverse("login"),
        urlencode({"username": "staff\u200b", "password": PASSWORD}),
        content_type=URLENCODED,
    )
    assert_refused_in_chinese(response)
    assert "_auth_user_id" not in response.wsgi_request.session


NOT_WORKBOOKS = {
    "png": ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    "text": ("说明.xlsx", "这不是表格".encode()),
    "empty": ("空.xlsx", b""),
    "old-excel": ("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
    "broken-zip": ("坏了.xlsx", b"PK\x03\x04" + bytes(100)),
    "oversized": ("大.xlsx", b"PK\x03\x04" + bytes(5000)),
}


@pytest.mark.parametrize("case", NOT_WORKBOOKS)
@pytest.mark.parametrize("name", IMPORT_UPLOADS)
def test_an_upload_that_is_not_a_workbook_is_refused_in_chinese(
    personas, settings, tmp_path, name, case
):
    settings.IMPORT_STAGING_DIR = tmp_path
    settings.IMPORT_MAX_BYTES = 4096
    filename, data = NOT_WORKBOOKS[case]
    members, activities = Member.objects.count(), Activity.objects.count()
    response, _elapsed = upload_file(logged_in(personas.secretary), name, data, filename)
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["file"])
    assert CJK.search(message), message
    if case == "oversized":
        assert "4 KB" in message
    assert not list(tmp_path.iterdir())  # nothing staged
    assert (Member.objects.count(), Activity.objects.count()) == (members, activities)


@pytest.mark.parametrize(
    ("form_name", "value", "expected"),
    [
        (form_name, value, expected)
        for form_name in ("planned-activity", "planned-activity-edit")
        for value, expected in (
            ("-1", "确保该值大于或等于0。"),
            ("337", "确保该值小于或等于336。"),
            ("1.5", "输入整数。"),
        )
    ],
)
def test_a_planned_activitys_cutoff_out_of_range_is_refused(personas, form_name, value, expected):
    form = FORMS[form_name]
    url, data = form.setup(personas)
    before = form.state()
    response = logged_in(personas.staff).post(url, {**data, "cutoff_hours": value})
    assert response.status_code == 200
    assert expected in [m for errors in response.context["form"].errors.values() for m in errors]
    assert form.state() == before


@pytest.mark.parametrize("form_name", ["planned-activity", "planned-activity-edit"])
def test_a_planned_activitys_cutoff_in_full_width_digits_reads_as_digits(personas, form_name):
    from planning.models import PlannedActivity

    url, data = FORMS[form_name].setup(personas)
    response = logged_in(personas.staff).post(url, {**data, "cutoff_hours": "１２"})
    assert response.status_code == 302
    assert PlannedActivity.objects.get().cutoff_hours == 12


@pytest.mark.parametrize(
    "tampered",
    [
        {"rule": "FREQ=HOURLY", "repeat": "hourly"},
        {"repeat": "weekly", "weekdays": "XX"},
        {"repeat": "monthly", "month_weekday": "1SA;COUNT=99999"},
    ],
)
@pytest.mark.parametrize("form_name", ["planned-activity", "planned-activity-edit"])
def test_a_tampered_rule_is_refused_in_chinese(personas, form_name, tampered):
    form = FORMS[form_name]
    url, data = form.setup(personas)
    before = form.state()
    response = logged_in(personas.staff).post(url, {**data, **tampered})
    assert response.status_code == 200
    messages = [m for errors in response.context["form"].errors.values() for m in errors]
    assert any("选择一个有效的选项" in m for m in messages), messages
    assert all(CJK.search(m) for m in messages), messages
    assert form.state() == before


def test_a_posted_rule_field_is_ignored(personas):
    """The rule comes from the chooser only: typed RRULE text never reaches the model."""
    from planning.models import PlannedActivity

    url, data = FORMS["planned-activity-edit"].setup(personas)
    response = logged_in(personas.staff).post(url, {**data, "rule": "FREQ=DAILY;COUNT=3660"})
    assert response.status_code == 302
    assert PlannedActivity.objects.get().rule == "FREQ=WEEKLY;BYDAY=FR"


# --- Duty rosters (rosters/): the week in the address, tampered ids, look-alike names ----------


@pytest.mark.parametrize(
    "week", ["NaN", "2026-W99", "9" * 100_000, "２０２６-Ｗ９９", "2026-W49x", "-1", "²³"]
)
def test_a_bad_roster_week_shows_this_week_with_a_chinese_notice(personas, week):
    from rosters.tests.factories import next_monday, patrol

    planned = patrol(personas.team, first=next_monday(), days=1)
    url = reverse("rosters:week", kwargs={"slug": "our-team", "pk": planned.pk})
    response = logged_in(personas.staff).get(url, {"week": week})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["monday"] == today - datetime.timedelta(days=today.weekday())
    assert "无法识别地址中的周次，现显示本周。" in response.content.decode()


def test_a_week_in_full_width_digits_is_that_week(personas):
    from rosters.tests.factories import next_monday, patrol

    planned = patrol(personas.team, first=next_monday(), days=1)
    url = reverse("rosters:week", kwargs={"slug": "our-team", "pk": planned.pk})
    response = logged_in(personas.staff).get(url, {"week": "２０２６－Ｗ４９"})
    assert response.context["monday"] == datetime.date(2026, 11, 30)


def test_tampered_roster_ids_are_refused_and_change_nothing(personas):
    """Another team's member, group, occurrence or sign-up: not a choice, never used."""
    from rosters.tests.factories import group_of, member_with_login, next_monday, patrol
    from signups.services import assign

    planned, ids = _roster(personas)
    theirs = patrol(personas.other_team, first=next_monday(), days=1)
    their_occurrence = theirs.occurrences.get()
    stranger = member_with_login(personas.other_team)
    their_signup = assign(their_occurrence, stranger.user, by=None)
    tampered = {
        "put_group": {**ids, "group": str(group_of(personas.other_team, "第一组", 1).pk)},
        "put_member": {**ids, "member": str(stranger.pk)},
        "take_off": {"signup": str(their_signup.pk)},
    }
    client = logged_in(personas.secretary)
    before = _rosters_state()
    for name, data in tampered.items():
        url = reverse(f"rosters:{name}", kwargs={"slug": "our-team", "pk": planned.pk})
        response = client.post(url, data)
        assert_refused_in_chinese(response, redirects=True)
    assert _rosters_state() == before
    url = reverse("rosters:group_edit", kwargs={"slug": "our-team", "pk": ids["group"]})
    response = client.post(url, {"name": "第一组", "members": [ids["member"], str(stranger.pk)]})
    assert "选择一个有效的选项" in response.content.decode()
    assert _rosters_state() == before


@pytest.mark.parametrize("name", ["第一组\u200b", "\u202e第一组", "第一组\ufeff", " 第一组　"])
def test_a_look_alike_group_name_is_refused_in_chinese(personas, name):
    from rosters.tests.factories import group_of

    group_of(personas.team, "第一组", 0)
    before = _rosters_state()
    url = reverse("rosters:groups", kwargs={"slug": "our-team"})
    response = logged_in(personas.secretary).post(url, {"name": name})
    assert response.status_code == 200
    assert "本队已有名为“第一组”的小组。" in response.content.decode()
    assert _rosters_state() == before


# --- Sign-ups (signups/) -------------------------------------------------------------------------


def test_a_member_in_full_width_digits_is_signed_up(personas):
    """Full-width digits are digits: the member picked is the member signed up."""
    from signups.models import SignUp

    url, data = _signup_assign(personas)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in data["member"])
    response = logged_in(personas.staff).post(url, {"member": full_width})
    assert response.status_code == 302
    assert SignUp.objects.get().user == personas.volunteer


@pytest.mark.parametrize("pk", ["0", str(10**30)])
@pytest.mark.parametrize("name", ["signups:detail", "signups:sign_up", "signups:cancel"])
def test_a_tampered_occurrence_number_is_not_found(personas, name, pk):
    from signups.models import SignUp

    client = logged_in(personas.volunteer)
    url = reverse(name, kwargs={"pk": int(pk)})
    response = client.get(url) if name == "signups:detail" else client.post(url)
    assert response.status_code == 404
    assert not SignUp.objects.exists()


def test_a_tampered_sign_up_number_is_not_found(personas):
    from planning.tests.factories import occurrence_of

    occurrence = occurrence_of(personas.team)
    url = f"/teams/our-team/planned/occurrences/{occurrence.pk}/signups/{10**30}/remove/"
    assert logged_in(personas.staff).post(url).status_code == 404


@pytest.mark.parametrize("token", ["%00", "a%00b", "%EF%BC%A1" * 43, "x" * 5000])
def test_a_calendar_token_with_nul_or_look_alikes_is_refused(personas, token):
    from signups.services import calendar_feed_reset

    calendar_feed_reset(user=personas.volunteer)
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code in (400, 404)
    if "%00" in token:
        assert response.status_code == 400
        assert REFUSED_CHARACTERS in response.content.decode()
