"""The region admin's thresholds page: who may open it, what it saves, what it refuses."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from stars.models import StarThresholds
from volunteer_site.tests.test_bad_input import URLENCODED

VALID = {"level_1": "50", "level_2": "150", "level_3": "300", "level_4": "500", "level_5": "800"}


def admin_client(personas) -> Client:
    client = Client()
    client.force_login(personas.region_admin)
    return client


def edit_url(personas) -> str:
    return reverse("regions:stars_edit", kwargs={"pk": personas.region.pk})


@pytest.mark.django_db
def test_the_list_shows_the_admins_regions_with_the_thresholds_in_force(personas):
    StarThresholds.objects.create(
        region=personas.region.parent,
        level_1=80,
        level_2=200,
        level_3=400,
        level_4=700,
        level_5=999,
    )
    response = admin_client(personas).get(reverse("regions:stars"))
    text = response.content.decode()
    assert "日喀则市" in text and "拉萨市" not in text
    # Its parent's (not administered by this admin, but in force for its teams).
    assert "80.0" in text and "999.0" in text and "100.0" not in text


@pytest.mark.django_db
def test_saving_thresholds(personas):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client(personas).post(edit_url(personas), VALID)
    assert response.status_code == 302
    saved = StarThresholds.objects.get(region=personas.region)
    assert saved.values == tuple(Decimal(v) for v in VALID.values())
    assert saved.updated_by == personas.region_admin
    assert saved.history.count() == 1


@pytest.mark.django_db
def test_clearing_goes_back_to_the_inherited_thresholds(personas):
    StarThresholds.objects.create(
        region=personas.region, level_1=1, level_2=2, level_3=3, level_4=4, level_5=5
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_client(personas).post(edit_url(personas), {**VALID, "clear": "1"})
    assert not StarThresholds.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("level_1", "NaN", "不是有效的小时数"),
        ("level_3", str(10**30), "小时数过大"),
        ("level_2", "１５０", "不是有效的小时数"),
        ("level_1", "0", "必须大于零"),
        ("level_1", "-5", "必须大于零"),
        ("level_3", "150", "三星所需时数必须大于二星（150）"),
        ("level_5", "", "必填"),
    ],
)
@pytest.mark.django_db
def test_bad_thresholds_are_refused_in_chinese_and_nothing_is_saved(
    personas, field, value, message
):
    response = admin_client(personas).post(edit_url(personas), {**VALID, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in str(error) for error in errors), errors
    assert not StarThresholds.objects.exists()


@pytest.mark.django_db
def test_a_nul_is_refused_and_nothing_is_saved(personas):
    body = urlencode({**VALID, "level_1": "50\x00"})
    response = admin_client(personas).post(edit_url(personas), body, content_type=URLENCODED)
    assert response.status_code == 400
    assert not StarThresholds.objects.exists()


@pytest.mark.django_db
def test_another_regions_thresholds_are_not_found(personas):
    other = personas.other_team.region
    url = reverse("regions:stars_edit", kwargs={"pk": other.pk})
    assert admin_client(personas).post(url, VALID).status_code == 404
    assert not StarThresholds.objects.exists()
