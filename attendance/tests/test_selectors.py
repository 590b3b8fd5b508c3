"""Sign-ups against attendance per member (the monthly review's 报名次数, 到场次数, 缺席次数),
worked out by hand on a few occurrences, in one query."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from attendance.models import Attendance
from attendance.selectors import Turnout, sheet_rows, turnout_by_member
from conftest import client_for, text_of
from members.tests.factories import MemberFactory
from planning.models import Audience, Occurrence, OccurrenceStatus
from planning.tests.factories import planned_of
from signups.models import SignUp, SignUpStatus
from signups.tests.factories import volunteer_of
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def occurrence_on(team, day: datetime.date, **fields) -> Occurrence:
    planned = planned_of(team, first_date=day, rule="", **fields)
    starts_at, ends_at = planned.bounds(day)
    return Occurrence.objects.create(
        planned_activity=planned, date=day, starts_at=starts_at, ends_at=ends_at
    )


def signed(occurrence, user, status=SignUpStatus.CONFIRMED) -> None:
    SignUp.objects.create(
        occurrence=occurrence, user=user, status=status, requested_at=occurrence.starts_at
    )


def present(occurrence, user) -> None:
    Attendance.objects.create(occurrence=occurrence, user=user, checked_in_at=occurrence.starts_at)


@pytest.fixture
def november(personas):
    """Our team's November 2026: members A, B, C with logins, D without."""
    team = personas.team
    a, b, c = (volunteer_of(team, name=name) for name in "ABC")
    d = MemberFactory(team=team, name="D")
    nov5, nov12 = (
        occurrence_on(team, datetime.date(2026, 11, 5)),
        occurrence_on(team, datetime.date(2026, 11, 12)),
    )
    signed(nov5, a), signed(nov5, b), signed(nov5, c, SignUpStatus.WAITING)
    present(nov5, a), present(nov5, c)  # C came from the waiting list anyway
    signed(nov12, a), signed(nov12, b)
    present(nov12, b)
    # Not counted: a cancelled occurrence, a cancelled sign-up, December, another team.
    nov19 = occurrence_on(team, datetime.date(2026, 11, 19))
    nov19.status = OccurrenceStatus.CANCELLED
    nov19.save()
    signed(nov19, a)
    signed(occurrence_on(team, datetime.date(2026, 11, 20)), b, SignUpStatus.CANCELLED)
    signed(occurrence_on(team, datetime.date(2026, 12, 1)), a)
    elsewhere = occurrence_on(
        TeamFactory(), datetime.date(2026, 11, 6), audience=Audience.LOGGED_IN
    )
    signed(elsewhere, a), present(elsewhere, b)
    return personas, (a, b, c, d), nov12


def member_pk(user) -> int:
    return user.member.pk


def test_turnout_worked_out_by_hand(november, django_assert_num_queries):
    personas, (a, b, c, d), _nov12 = november
    now = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
    with django_assert_num_queries(1):
        turnout = turnout_by_member(personas.team, 2026, 11, now=now)
    assert turnout[member_pk(a)] == Turnout(signed_up=2, attended=1, no_shows=1)
    assert turnout[member_pk(b)] == Turnout(signed_up=2, attended=1, no_shows=1)
    assert turnout[member_pk(c)] == Turnout(signed_up=0, attended=1, no_shows=0)
    assert turnout[personas.volunteer_member.pk] == Turnout()
    assert d.pk not in turnout  # no login: cannot sign up


def test_an_occurrence_not_over_yet_is_left_out(november):
    personas, (a, b, _c, _d), nov12 = november
    turnout = turnout_by_member(
        personas.team, 2026, 11, now=nov12.ends_at - datetime.timedelta(minutes=1)
    )
    assert turnout[member_pk(a)] == Turnout(signed_up=1, attended=1, no_shows=0)
    assert turnout[member_pk(b)] == Turnout(signed_up=1, attended=0, no_shows=1)


def test_the_review_shows_the_turnout_columns(november):
    personas, (a, _b, _c, d), _nov12 = november
    url = reverse("compliance:review", kwargs={"slug": "our-team", "year": 2026, "month": 11})
    html = client_for(personas.secretary).get(url).content.decode()
    assert "报名次数" in html and "到场次数" in html and "缺席次数" in html
    row = re.search(rf'<tr [^>]*data-member="{member_pk(a)}">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="num turnout-signed">2</td>' in row
    assert '<td class="num turnout-attended">1</td>' in row
    assert '<td class="num turnout-no-shows">1</td>' in row
    no_login = re.search(rf'<tr [^>]*data-member="{d.pk}">(.*?)</tr>', html, re.S).group(1)
    assert no_login.count('title="没有登录账号，不能报名">—</td>') == 3


def test_the_print_version_has_the_turnout_columns_and_says_they_are_not_signed(november):
    personas, (_a, b, _c, _d), _nov12 = november
    url = reverse("compliance:review_print", kwargs={"slug": "our-team", "year": 2026, "month": 11})
    response = client_for(personas.secretary).get(url)
    html = response.content.decode()
    row = re.search(rf'<tr [^>]*data-member="{member_pk(b)}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'class="num turnout-[a-z-]+">(\d+)<', row) == ["2", "1", "1"]
    assert "报名、到场和缺席次数按打印时的数据统计，不属于签署内容。" in text_of(response)


def test_the_workbook_has_a_sheet_of_sign_ups_and_attendance(november):
    personas, (a, b, c, d), _nov12 = november
    url = reverse(
        "compliance:review_export", kwargs={"slug": "our-team", "year": 2026, "month": 11}
    )
    response = client_for(personas.staff).get(url)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["报名与到场"]
    assert [cell.value for cell in sheet[1]] == [
        "志愿者编号",
        "姓名",
        "报名次数",
        "到场次数",
        "缺席次数",
    ]
    rows = {row[1]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}
    assert rows["A"] == (2, 1, 1)
    assert rows["B"] == (2, 1, 1)
    assert rows["C"] == (0, 1, 0)
    assert rows["D"] == (None, None, None)  # no login: cannot sign up
    assert rows[personas.volunteer_member.name] == (0, 0, 0)
    notes = [row for row in sheet.iter_rows(values_only=True) if row[0] == "说明"]
    assert "不属于签署内容" in notes[0][1]


def test_the_sheet_lists_sign_ups_and_walk_ins_with_no_shows(november):
    personas, (a, b, c, _d), _nov12 = november
    nov5 = Occurrence.objects.get(
        date=datetime.date(2026, 11, 5), planned_activity__team=personas.team
    )
    rows = {row.name: row for row in sheet_rows(nov5)}
    assert set(rows) == {"A", "B", "C"}  # C waited, but came
    assert rows["B"].no_show and not rows["A"].no_show and not rows["C"].signed_up
