"""The benchmark scripts (bench/) in their smoke mode, so they cannot rot.

Tiny sizes on the test database: each script's ``run(smoke=True)`` measures and
prints as it would at full size. The load test starts gunicorn and wrk on
loopback, so its data must be committed (a transactional test).
"""

from __future__ import annotations

import shutil

import pytest

from bench import activity_save, load, recompute
from bench.common import SEED, SMOKE_SIZES
from demo.bulk import bulk_seed

pytestmark = pytest.mark.services


@pytest.fixture
def province(db):
    bulk_seed(seed=SEED, **SMOKE_SIZES)


def test_recompute_bench(province, capsys):
    results = recompute.run(smoke=True)
    for case in ["unchanged", "changed", "empty"]:
        assert results["full"][case]["floor"] > 0 and results["full"][case]["recompute"] > 0
    unchanged, changed = results["full"]["unchanged"], results["full"]["changed"]
    assert (unchanged["team_rows"], unchanged["member_rows"], unchanged["rows_deleted"]) == (0,) * 3
    assert changed["team_rows"] > 0 and changed["member_rows"] > 0
    assert results["full"]["empty"]["member_rows"] > 0
    assert results["one_team"]["median_ms"] > 0
    assert "ratio (target <= 1.5x)" in capsys.readouterr().out


def test_activity_save_bench(province, capsys):
    results = activity_save.run(smoke=True)
    seconds, queries = results["service_create"]
    assert seconds > 0 and queries > 0
    assert "page: POST new activity" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_load_bench(capsys):
    if shutil.which("wrk") is None:
        pytest.fail("wrk is missing: apt-get install wrk")
    bulk_seed(seed=SEED, **SMOKE_SIZES)
    results = load.run(smoke=True)
    for page in ["public profile", "activity list", "compliance review", "region overview"]:
        assert results[page]["rps"] > 0 and results[page]["errors"] == 0, page
    for page in ["activity list", "compliance review", "region overview"]:
        assert 0 < results[page]["median"] <= results[page]["p95"] <= results[page]["max"], page
    assert results["speedup"]["rps"] > 0
    assert results["cpu"]["activity list"] > 0
    assert "p95" in capsys.readouterr().out
