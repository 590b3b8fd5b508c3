"""Pages under load: requests per second against a trivial view on the same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_bench \\
        .venv/bin/python bench/load.py                 # after manage.py seed_bulk
    .venv/bin/python bench/load.py --smoke             # tiny, throw-away database

Starts gunicorn as the Procfile does (``volunteer_site.wsgi``, 3 workers, on a free
port of 127.0.0.1) with production-like settings over plain HTTP and the bench URLs
(bench/urls.py: ``/bench/ping/``, the whole middleware stack and nothing else), then
drives each page with ``wrk -t2 -c8 -d10s`` on loopback, one after the other:

* the public profile (anonymous), against the ping (anonymous): target ≥ 0.5×; it is
  served whole from the cache (profiles/cache.py), so it is also measured rendered
  for every request (a query string bypasses the stored page);
* the activity list and the compliance review (the reference team's secretary),
  and the region overview (an admin of the whole province), rendered fresh for every
  request (only the public profile is cached): target a p95 server time ≤ 150 ms,
  measured over sequential requests on one keep-alive connection (loopback adds
  well under a millisecond); their requests per second under wrk are shown too;
* the site's layout with no content (``/bench/empty-page/``): the least any HTML
  page of the site costs, which bounds every page's ratio;
* the profile computed per request (``/bench/profile-live/``), for the speed-up the
  summary tables give (against the profile rendered each time, both without the
  stored page), also timed in-process without the server.

Every page is first fetched once and must answer 200; wrk's non-2xx responses and
socket errors are reported as errors.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_ENV,
    ROOT,
    heading,
    line,
    main_wrapper,
    ms,
    reference_team,
    summary,
    timed,
)

WORKERS = 3
TARGET_PROFILE = 0.5  # × the anonymous ping's requests per second
TARGET_P95_MS = 150  # the signed-in pages' 95th-percentile server time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sessions() -> dict[str, str]:
    """Session keys of the reference team's secretary and a province admin."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from demo.bulk import PROVINCE
    from teams.models import Region, RegionAdmin, TeamRole

    team = reference_team()
    users = get_user_model().objects
    secretary, _ = users.get_or_create(username="bench-secretary")
    TeamRole.objects.update_or_create(
        user=secretary, team=team, defaults={"role": TeamRole.Role.SECRETARY}
    )
    admin, _ = users.get_or_create(username="bench-admin")
    RegionAdmin.objects.get_or_create(
        user=admin, region=Region.objects.get(parent=None, name=PROVINCE)
    )
    keys = {}
    for name, user in [("secretary", secretary), ("admin", admin)]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[name] = store.session_key
    return keys


def _database_url(connection) -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


class Server:
    """gunicorn on a free loopback port, as the Procfile runs it."""

    def __init__(self, workers: int, database_url: str):
        self.port = _free_port()
        # Closed in stop(), which every path out of here calls.
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
        from django.conf import settings

        # This process's key: the sessions made here must be valid there.
        env = {**os.environ, **BENCH_ENV, "DJANGO_SECRET_KEY": settings.SECRET_KEY}
        env["DATABASE_URL"] = database_url
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                gunicorn,
                "volunteer_site.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/bench/ping/")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not start:\n" + self.log_text()) from None
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, cookie: str | None = None) -> int:
        request = urllib.request.Request(self.url(path))  # noqa: S310 - loopback only
        if cookie:
            request.add_header("Cookie", f"sessionid={cookie}")

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def wrk(url: str, *, cookie: str | None, smoke: bool) -> dict:
    """Requests per second and errors of one wrk run."""
    args = ["-t1", "-c2", "-d1s"] if smoke else ["-t2", "-c8", "-d10s"]
    command = ["wrk", *args, "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(  # noqa: S603 - fixed arguments, loopback URL
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    latency = re.search(r"Latency\s+([\d.]+\w+)", output)
    return {
        "rps": rps,
        "requests": requests,
        "errors": errors,
        "latency": latency.group(1) if latency else "?",
    }


def _in_process_profile(slug: str, repeat: int) -> dict:
    """The two profile views called directly (no server, no middleware)."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.views import profile_live
    from profiles.views import _profile_render

    def profile(request, slug):  # rendered, not the stored page (profiles/cache.py)
        return _profile_render(request, slug, timezone.localdate())

    factory = RequestFactory()
    result = {}
    for name, view in [("summary", profile), ("live", profile_live)]:
        times = []
        for _ in range(repeat):
            request = factory.get(f"/p/{slug}/")
            request.user = AnonymousUser()
            seconds, response = timed(lambda: view(request, slug=slug))  # noqa: B023
            assert response.status_code == 200
            times.append(seconds)
        request = factory.get(f"/p/{slug}/")
        request.user = AnonymousUser()
        with CaptureQueriesContext(connection) as queries:
            view(request, slug=slug)
        result[name] = (summary(times)["median"], len(queries))
    return result


def _in_process_cpu(pages, repeat: int) -> dict[str, tuple[float, int]]:
    """Each page through Django's test client in this process: the Python CPU time of a
    request (median, ``time.process_time``: the database's own work is not in it) and
    its queries. What the server's requests per second are mostly made of."""
    from django.test import override_settings

    # The bench's URLs (the ping, the empty page) also under the test settings.
    with override_settings(ROOT_URLCONF="bench.urls"):
        return _measure_in_process(pages, repeat)


def _measure_in_process(pages, repeat: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test import Client

    result = {}
    for name, path, cookie, _target in pages:
        client = Client()  # "testserver", which the bench settings and the tests allow
        if cookie:
            client.cookies["sessionid"] = cookie
        assert client.get(path).status_code == 200
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)  # noqa: B023 - the list of this page
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        times = []
        for _ in range(repeat):
            started = time.process_time()
            client.get(path)
            times.append(time.process_time() - started)
        result[name] = (summary(times)["median"], len(queries))
    return result


def server_times(server: Server, path: str, cookie: str | None, count: int) -> dict:
    """Each request's time from sending to the last byte, one after another on one
    keep-alive connection: the server's time per request (median, p95, max, in ms)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}, not 200")
    finally:
        connection.close()
    times.sort()
    return {
        "median": times[len(times) // 2] * 1000,
        "p95": times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
        "max": times[-1] * 1000,
    }


def run(*, smoke: bool) -> dict:
    from django.db import connection

    from compliance.months import default_review_month

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    team = reference_team()
    keys = _sessions()
    year, month = default_review_month(__import__("datetime").date.today())
    secretary, admin = keys["secretary"], keys["admin"]
    pages = [
        ("ping (anonymous)", "/bench/ping/", None, None),
        ("ping (signed in)", "/bench/ping/", secretary, None),
        ("empty page, anonymous", "/bench/empty-page/", None, None),
        ("empty page, signed in", "/bench/empty-page/", secretary, None),
        ("public profile", f"/p/{team.slug}/", None, ("ping (anonymous)", TARGET_PROFILE)),
        # A query string bypasses the stored page: the profile rendered for every request.
        ("public profile, rendered each time", f"/p/{team.slug}/?render=1", None, None),
        ("profile computed per request", f"/bench/profile-live/{team.slug}/", None, None),
        ("activity list", f"/teams/{team.slug}/activities/", secretary, "p95"),
        ("compliance review", f"/teams/{team.slug}/reviews/{year}/{month}/", secretary, "p95"),
        ("region overview", "/regions/", admin, "p95"),
    ]
    server = Server(workers=1 if smoke else WORKERS, database_url=_database_url(connection))
    results: dict[str, dict] = {}
    try:
        heading(f"Pages under load (gunicorn, {1 if smoke else WORKERS} workers; wrk)")
        for _name, path, cookie, _target in pages:
            status = server.get(path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}, not 200")
        order = pages + pages[:2]  # the baselines again at the end: drift shows
        for name, path, cookie, _target in order:
            measured = wrk(server.url(path), cookie=cookie, smoke=smoke)
            if name in results:  # a baseline's second run: keep the mean
                first = results[name]
                measured["rps"] = (first["rps"] + measured["rps"]) / 2
                measured["errors"] += first["errors"]
            results[name] = measured
        for name, path, cookie, target in pages:
            if target == "p95":
                results[name] |= server_times(server, path, cookie, 20 if smoke else 200)
    finally:
        server.stop()
    anonymous = results["ping (anonymous)"]["rps"]
    signed_in = results["ping (signed in)"]["rps"]
    for name, _path, _cookie, target in pages:
        measured = results[name]
        text = f"{measured['rps']:8.1f} req/s  errors {measured['errors']}"
        text += f"  latency {measured['latency']}"
        if target == "p95":
            ok = measured["p95"] <= TARGET_P95_MS and not measured["errors"]
            text += (
                f"  server time median {measured['median']:.1f} ms, "
                f"p95 {measured['p95']:.1f} ms (target <= {TARGET_P95_MS} ms) "
                f"{'OK' if ok else 'MISSED'}"
            )
        elif target is not None:
            baseline, minimum = target
            ratio = measured["rps"] / results[baseline]["rps"]
            measured["ratio"] = ratio
            verdict = "OK" if ratio >= minimum and not measured["errors"] else "MISSED"
            text += f"  {ratio:.2f}x {baseline} (target >= {minimum}x) {verdict}"
        line(name, text)
    line("signed-in ping / anonymous ping", f"{signed_in / anonymous:.2f}x")
    line(
        "empty page (base.html) / ping",
        f"{results['empty page, anonymous']['rps'] / anonymous:.2f}x anonymous, "
        f"{results['empty page, signed in']['rps'] / signed_in:.2f}x signed in",
    )
    line(
        "profile rendered each time / anonymous ping",
        f"{results['public profile, rendered each time']['rps'] / anonymous:.2f}x",
    )
    speedup = (
        results["public profile, rendered each time"]["rps"]
        / results["profile computed per request"]["rps"]
    )
    heading("The same pages in this process (no server): Python CPU per request")
    cpu = _in_process_cpu(pages, repeat=3 if smoke else 30)
    for name, (seconds, queries) in cpu.items():
        line(name, f"{ms(seconds)}  {queries} queries")
    results["cpu"] = {name: seconds for name, (seconds, _queries) in cpu.items()}
    heading("The profile from the summary tables vs. computed per request")
    line("requests per second, summary / per request", f"{speedup:.1f}x")
    direct = _in_process_profile(team.slug, repeat=3 if smoke else 30)
    for name, (seconds, queries) in direct.items():
        line(f"view alone, {name} (median)", f"{ms(seconds)}  {queries} queries")
    line("view alone, speed-up", f"{direct['live'][0] / direct['summary'][0]:.1f}x")
    results["speedup"] = {"rps": speedup, "view": direct["live"][0] / direct["summary"][0]}
    return results


if __name__ == "__main__":
    main_wrapper(run, sys.argv[1:], __doc__.splitlines()[0])
