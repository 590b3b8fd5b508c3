"""axe-core (volunteer_site/tests/axe.py) on the site's pages, in a real browser: no
violation of WCAG 2 / 2.1 A and AA or of axe's best practices."""

import pytest

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
