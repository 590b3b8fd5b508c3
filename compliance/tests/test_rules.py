"""The secretary edits the team's rules; their history is kept and shown."""

import pytest
from django.urls import reverse

from conftest import client_for

pytestmark = pytest.mark.django_db
URL = reverse("compliance:rules", args=["our-team"])


def test_secretary_changes_the_rules_and_the_history_shows_it(personas):
    client = client_for(personas.secretary)
    response = client.post(
        URL, {"min_activities_per_month": "2", "min_participations_per_member_year": "12"}
    )
    assert response.status_code == 302
    personas.team.refresh_from_db()
    assert personas.team.min_activities_per_month == 2
    assert personas.team.min_participations_per_member_year == 12
    record = personas.team.history.first()
    assert record.history_user == personas.secretary
    page = client.get(URL).content.decode()
    history = page[page.index('id="rules-history"') :]
    assert "1 → 2" in history
    assert "10 → 12" in history


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_activities_per_month", "0", "每项要求至少为 1。"),
        ("min_activities_per_month", "32", "确保该值小于或等于31。"),
        ("min_participations_per_member_year", "abc", "输入整数。"),
    ],
)
def test_bad_rules_are_explained_and_nothing_is_saved(personas, field, value, message):
    data = {
        "min_activities_per_month": "1",
        "min_participations_per_member_year": "10",
        field: value,
    }
    response = client_for(personas.secretary).post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    personas.team.refresh_from_db()
    assert (
        personas.team.min_activities_per_month,
        personas.team.min_participations_per_member_year,
    ) == (1, 10)


@pytest.mark.parametrize("persona", ["staff", "region_admin"])
def test_others_read_the_rules_but_cannot_change_them(personas, persona):
    client = client_for(getattr(personas, persona))
    page = client.get(URL)
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split('id="content"')[1]
    response = client.post(
        URL, {"min_activities_per_month": "5", "min_participations_per_member_year": "5"}
    )
    assert response.status_code == 403
    personas.team.refresh_from_db()
    assert personas.team.min_activities_per_month == 1
