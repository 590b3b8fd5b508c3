"""The error pages: Chinese, in the site's layout, with their status and a way back,
produced by the real handlers with debug off (as in production)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from conftest import PASSWORD
from volunteer_site.views import too_many_requests

# What Django's own pages say; none of it may reach a visitor.
DJANGO_DEFAULTS = [
    "Not Found",
    "The requested resource was not found",
    "Bad Request (400)",
    "403 Forbidden",
    "CSRF verification failed",
    "Server Error (500)",
]
HOME_LINK = '<a class="btn btn-party" href="/">'
BACK_LINK = '<a class="btn btn-outline-secondary"'


def assert_site_error_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert f"错误 {status}" in page
    assert HOME_LINK in page
    for text in texts:
        assert text in page, text
    for default in DJANGO_DEFAULTS:
        assert default not in page, default
    return page


def test_debug_is_off_here():
    assert settings.DEBUG is False  # else Django would show its debug pages instead


@pytest.mark.django_db
def test_404_for_an_unknown_address():
    page = assert_site_error_page(Client().get("/no-such-page/"), 404, "找不到此页面")
    assert "<title>页面不存在 · " in page
    assert "退出登录" not in page and "登录" in page  # the site's top bar, for a visitor


@pytest.mark.django_db
def test_404_for_another_teams_object_in_the_site_layout(personas):
    client = Client()
    client.force_login(personas.other_staff)
    page = assert_site_error_page(
        client.get(reverse("dashboard:team", args=["our-team"])), 404, "找不到此页面"
    )
    assert "退出登录" in page  # signed in: their own top bar
    assert "我们的志愿服务队" not in page


@pytest.mark.django_db
def test_403_when_the_role_does_not_allow_it(personas):
    client = Client()
    client.force_login(personas.staff)
    assert_site_error_page(client.get(reverse("regions:overview")), 403, "您的账号无权打开此页面")


@pytest.mark.django_db
def test_400_for_a_host_the_site_does_not_serve():
    response = Client().get("/", HTTP_HOST="evil.example")
    assert_site_error_page(response, 400, "无法处理该请求")


@pytest.mark.django_db
@pytest.mark.urls("volunteer_site.tests.error_urls")
def test_400_for_a_suspicious_request():
    assert_site_error_page(Client().get("/test-errors/400/"), 400, "无法处理该请求")


@pytest.mark.django_db
@pytest.mark.urls("volunteer_site.tests.error_urls")
def test_500_for_a_bug():
    client = Client()
    client.raise_request_exception = False
    page = assert_site_error_page(client.get("/test-errors/500/"), 500, "网站出错了")
    assert "a bug, on purpose" not in page
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page


def test_500_renders_without_the_database_or_a_request():
    """Not marked django_db: any query here fails the test. Django renders the page
    with no request context (the database may be the fault)."""
    response = server_error(RequestFactory().get("/"))
    assert_site_error_page(response, 500, "网站出错了", "请过几分钟再试")


# --- The expired form (CSRF) --------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_without_its_token_says_the_page_expired():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    page = assert_site_error_page(response, 403, "页面已过期", "刷新", "重新提交")
    assert BACK_LINK not in page  # no page to go back to


@pytest.mark.django_db
def test_the_expired_page_links_back_to_our_own_page_only():
    client = Client(enforce_csrf_checks=True)
    back = "http://testserver/accounts/login/?next=/teams/"
    page = client.post(reverse("login"), {}, HTTP_REFERER=back).content.decode()
    assert f'{BACK_LINK} href="http://testserver/accounts/login/?next=/teams/">' in page
    elsewhere = client.post(reverse("login"), {}, HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in elsewhere.content.decode()
    assert BACK_LINK not in elsewhere.content.decode()


# --- Too many attempts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_lock_out_uses_the_429_page(personas):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    assert_site_error_page(response, 429, "登录失败次数过多", "30 分钟")


@pytest.mark.django_db
def test_too_many_requests_keeps_what_was_typed():
    request = RequestFactory().post("/p/x/report/")
    request.user = AnonymousUser()
    response = too_many_requests(
        request, "一小时内最多提交 5 条纠错。", kept_text="第6处错误 <script>alert(1)</script>"
    )
    page = assert_site_error_page(response, 429, "一小时内最多提交 5 条纠错。", "第6处错误")
    assert "<script>alert(1)</script>" not in page  # escaped, as all text
    assert "&lt;script&gt;" in page
