"""axe-core (volunteer_site/tests/axe.py) on the site's pages, in a real browser: no
violation of WCAG 2 / 2.1 A and AA or of axe's best practices."""

import pytest

from conftest import log_in_browser
from volunteer_site.tests.axe import assert_accessible, axe_report, axe_violations

pytestmark = [pytest.mark.browser]


def test_the_helper_finds_and_names_a_violation(page):
    """The helper can fail: a picture without a text alternative and an unlabelled field."""
    page.set_content(
        '<html lang="zh-CN"><head><title>t</title></head><body><main><h1>标题</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="bare">'
        '<input type="text" id="nameless"></main></body></html>'
    )
    violations = axe_violations(page)
    assert {v["id"] for v in violations} == {"image-alt", "label"}
    report = axe_report(violations)
    assert "image-alt" in report and "#bare" in report and "#nameless" in report
    assert "Images must have alternative text" in report
    # Only the rules asked for.
    assert [v["id"] for v in axe_violations(page, rules=["label"])] == ["label"]
    with pytest.raises(AssertionError, match="2 axe-core violation"):
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_login_page(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)


def _reports(page, base: str, paths: list[str]) -> list[str]:
    reports = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.ok, f"{path}: {response.status}"
        violations = axe_violations(page)
        if violations:
            reports.append(axe_report(violations, url=page.url))
    return reports


@pytest.fixture
def demo(transactional_db):
    from activities.stats import team_figures_recompute
    from demo.region import demo_region_load
    from demo.team import demo_load
    from demo.team_data import TEAM_SLUG
    from teams.models import Team

    demo_load()
    demo_region_load()
    team_figures_recompute(team_id=Team.objects.get(slug=TEAM_SLUG).pk)
    return TEAM_SLUG


def test_the_public_profile(live_server, page, demo):
    paths = [f"/p/{demo}/", f"/p/{demo}/report/"]  # the profile and its 纠错 form
    assert not (reports := _reports(page, live_server.url, paths)), "\n".join(reports)


def test_the_secretarys_pages(live_server, page, demo):
    log_in_browser(page, live_server.url, "secretary", "demo-secretary-2018")
    team = f"/teams/{demo}"
    paths = [
        f"{team}/",
        f"{team}/activities/",
        f"{team}/activities/awaiting/",  # the bulk approve / return card
        f"{team}/activities/new/",
        f"{team}/members/",
        f"{team}/members/add/",
        f"{team}/reviews/",
        f"{team}/reviews/current/",
        f"{team}/rules/",
        f"{team}/reports/",
        "/accounts/password/",
    ]
    assert not (reports := _reports(page, live_server.url, paths)), "\n".join(reports)


def test_the_region_pages(live_server, page, demo):
    log_in_browser(page, live_server.url, "regionadmin", "demo-region-2018")
    from teams.models import Region

    thresholds = f"/regions/stars/{Region.objects.get(name='日喀则市').pk}/"
    paths = [
        "/regions/",
        "/regions/ranking/",
        "/regions/compare/",
        f"/regions/teams/{demo}/",
        "/regions/stars/",
        thresholds,
    ]
    assert not (reports := _reports(page, live_server.url, paths)), "\n".join(reports)


def test_my_service_record(live_server, page, demo):
    log_in_browser(page, live_server.url, "volunteer", "demo-volunteer-2018")
    assert not (reports := _reports(page, live_server.url, ["/me/"])), "\n".join(reports)
