"""Spreadsheets that are bad in themselves: decompression bombs and damaged zips refused
before parsing (volunteer_site/xlsx/reading.py), and control characters in stored text
that a workbook cannot hold (dropped by safe_cell)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import Workbook, load_workbook

from activities.tests.factories import ParticipationFactory
from members.models import Member
from teams.models import Team
from volunteer_site.tests.test_bad_input import IMPORT_UPLOADS, MB, _member_payload, upload_file
from volunteer_site.tests.test_permissions import url_for
from volunteer_site.tests.workbooks import decompression_bomb, with_central_directory_field
from volunteer_site.xlsx import SpreadsheetError, read_tables
from volunteer_site.xlsx import reading as xlsx_reading

pytestmark = pytest.mark.django_db

REFUSED_CHARACTERS = "请求包含无效字符"
URLENCODED = "application/x-www-form-urlencoded"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Decompression bombs ----------------------------------------------------------------------
# A 600 KB workbook that unpacks to 300 MB (1,238 rows × 16,384 columns) held a
# worker for minutes. The shared reading code refuses it from the sizes the zip
# declares, before any XML is parsed; both imports read through it.


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    path = decompression_bomb(tmp_path_factory.mktemp("bomb") / "炸弹.xlsx")
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    print(f"bomb: {path.stat().st_size / 1024:.0f} KB unpacking to {unpacked / MB:.0f} MB")
    return path.read_bytes()


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail if openpyxl is asked to open the workbook."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(xlsx_reading, "load_workbook", refuse)


@pytest.mark.parametrize("name", IMPORT_UPLOADS)
def test_a_decompression_bomb_is_refused_at_once(
    personas, settings, tmp_path, bomb, no_parsing, name
):
    settings.IMPORT_STAGING_DIR = tmp_path
    assert len(bomb) < 1 * MB
    response, elapsed = upload_file(logged_in(personas.secretary), name, bomb)
    print(f"{name}: refused in {elapsed:.2f} s")
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["file"])
    assert "解压" in message and "MB" in message, message
    assert elapsed < 5
    assert not list(tmp_path.iterdir())  # nothing staged


def test_a_bomb_that_understates_its_size_is_read_only_as_far_as_it_says(tmp_path):
    """The zip's directory is what the check reads; reading stops where it says the
    sheet ends, so a file that lies about it is damaged, not a way round."""
    path = decompression_bomb(
        tmp_path / "lying.xlsx", rows=200, dimension=None, understate_to=50_000
    )
    started = time.monotonic()
    with pytest.raises(SpreadsheetError) as refused:
        read_tables(path.read_bytes(), filename="lying.xlsx", sheets=["注册志愿者"])
    print(f"understated bomb refused in {time.monotonic() - started:.2f} s")
    assert "损坏" in refused.value.message or "无法" in refused.value.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("offset", "value"), [(8, 0x0001), (10, 99)], ids=["encrypted", "unknown-compression"]
)
def test_a_sheet_zipfile_cannot_open_is_a_damaged_workbook(offset, value):
    book = Workbook()
    book.active.title = "注册志愿者"
    book.active.append(["志愿者编号", "姓名"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = with_central_directory_field(
        buffer.getvalue(), b"xl/worksheets/sheet1.xml", offset, "<H", value
    )
    with pytest.raises(SpreadsheetError) as refused:
        read_tables(data, filename="x.xlsx", sheets=["注册志愿者"])
    assert "损坏" in refused.value.message


def test_a_sheet_declaring_millions_of_cells_is_refused_before_parsing(tmp_path, no_parsing):
    path = decompression_bomb(tmp_path / "wide.xlsx", rows=2, columns=3, dimension="A1:XFD1238")
    with pytest.raises(SpreadsheetError) as refused:
        read_tables(path.read_bytes(), filename="wide.xlsx", sheets=["注册志愿者"])
    assert "1,238" in refused.value.message and "16,384" in refused.value.message


def test_a_stray_cell_far_to_the_right_is_ignored_not_padded(personas):
    """Someone typed in column XFD: the columns past MAX_COLUMNS are not read, so
    each row is not padded to 16,384 values."""
    book = Workbook()
    sheet = book.active
    sheet.title = "注册志愿者"
    sheet.append(["志愿者编号", "姓名"])
    for number in range(2, 100):
        sheet.append([f"V{number}", f"队员{number}"])
    sheet["XFD5"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    tables = read_tables(buffer.getvalue(), filename="stray.xlsx", sheets=["注册志愿者"])
    table = tables["注册志愿者"]
    assert len(table.rows) == 98
    assert all(len(values) == 2 for _line, values in table.rows)


# --- Control characters in stored text reach the exports --------------------------------------
# Pasted text carries control characters (Word's line break is a vertical tab);
# they are stored as typed, and openpyxl refused a whole workbook for one: every
# export that showed such a name or title was a 500.

EXPORTS = {
    "roster": ("member_io:export", "team", "secretary"),
    "service-record": ("records:export", "member", "secretary"),
    "activity-list": ("activity_io:export", "team", "secretary"),
    "monthly-review": ("compliance:review_export", "month", "secretary"),
    "region-overview": ("regions:export", "", "region_admin"),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_drop_control_characters_a_workbook_cannot_hold(personas, export):
    name, kind, persona = EXPORTS[export]
    client = logged_in(getattr(personas, persona))
    secretary = logged_in(personas.secretary)
    add = reverse("members:create", kwargs={"slug": "our-team"})
    response = secretary.post(
        add,
        urlencode(
            _member_payload(name="扎\x0b西\x1f", position="科员\x08", volunteer_number="CC1")
        ),
        content_type=URLENCODED,
    )
    assert response.status_code == 302
    member = Member.objects.get(volunteer_number="CC1")
    ParticipationFactory(
        activity__team=personas.team, activity__title="走访\x0b慰问", member=member
    )
    Team.objects.filter(pk=personas.team.pk).update(host_unit="市政府\x0b办公室")
    if kind == "member":
        url = reverse(name, kwargs={"slug": "our-team", "pk": member.pk})
    else:
        url = url_for(name, kind, personas)
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    texts = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row]
    if export in ("roster", "service-record"):
        assert any("扎西" in text for text in texts)
    assert not any(ch in text for text in texts for ch in "\x0b\x1f\x08")
