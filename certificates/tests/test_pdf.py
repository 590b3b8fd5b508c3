"""The PDF read back with poppler-utils: every label of the four blocks and the
hand-worked figures (conftest.py) are in its text; page 1 is kept as a PNG in
test-artifacts/ to be looked at."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest

from certificates.pdf import certificate_pdf
from certificates.tests.conftest import PERIOD
from certificates.tests.factories import issued_certificate

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

LABELS = [
    "志愿服务记录证明",
    "一、志愿者信息",
    "姓名",
    "志愿者编号",
    "志愿者统一编号",
    "证件类型及号码",
    "二、志愿服务信息",
    "服务时间段",
    "参加志愿服务次数",
    "志愿服务时长合计",
    "三、出具单位信息",
    "出具单位",
    "主管单位",
    "负责人",
    "经办人",
    "联系方式",
    "（盖章）",
    "四、证明编号、出具日期及备注",
    "证明编号",
    "出具日期",
    "备注",
    "核验码",
]


def poppler(tool: str, *args: str) -> bytes:
    """Run one of poppler-utils' tools (pdftotext, pdffonts, pdftoppm) on our own file."""
    executable = shutil.which(tool)
    if executable is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (make system-deps)")
    return subprocess.run([executable, *args], check=True, capture_output=True).stdout  # noqa: S603


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return poppler("pdftotext", "-layout", str(path), "-").decode()


@pytest.fixture
def certificate(service, personas, settings):
    settings.SITE_URL = "https://zyfw.example.cn"
    personas.team.host_unit = "日喀则市人民政府办公室"
    personas.team.lead_name = "扎西"
    personas.team.save()
    with mock.patch(
        "certificates.services.timezone.localdate", return_value=datetime.date(2026, 7, 2)
    ):
        return issued_certificate(
            service,
            start=PERIOD[0],
            end=PERIOD[1],
            user=personas.secretary,
            contact="0892-1234567",
            national_volunteer_id="54000012345",
            remarks="用于评优",
        )


def test_the_pdf_has_every_block_and_the_hand_worked_figures(certificate, tmp_path):
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")
    text = pdftotext(pdf, tmp_path)
    flat = re.sub(r"\s+", "", text)
    for label in LABELS:
        assert label in flat, label
    assert "our-team-2026-0001" in flat
    assert "2026年1月1日至2026年6月30日" in flat
    assert "2次" in flat
    assert "11.5小时" in flat
    assert "2026-03-05" in flat and "入户走访慰问" in flat and "扶贫帮困" in flat
    assert "2026-05-10至2026-05-12" in flat and "下乡义诊" in flat and "7.5" in flat
    for not_counted in ("草稿的活动", "退回的活动", "期前的活动", "期后的活动"):
        assert not_counted not in flat
    assert "志愿者甲" in flat and "54000012345" in flat
    assert "日喀则市人民政府办公室" in flat and "扎西" in flat and "0892-1234567" in flat
    assert "2026年7月2日" in flat and "用于评优" in flat
    assert certificate.code in flat
    assert f"https://zyfw.example.cn/v/{certificate.code}/" in flat


def test_the_pdf_embeds_a_cjk_font(certificate, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate))
    fonts = poppler("pdffonts", str(path))
    assert b"Noto-Sans-CJK-SC" in fonts
    # Every font is embedded (the "emb" column): no reader needs the font installed.
    rows = fonts.decode().splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


def test_an_id_number_is_printed_masked(certificate, tmp_path):
    certificate.id_type = "resident_id"
    certificate.id_last_four = "123X"
    flat = re.sub(r"\s+", "", pdftotext(certificate_pdf(certificate), tmp_path))
    assert "居民身份证**************123X" in flat


def test_page_one_as_png_for_the_eye(certificate, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(certificate))
    ARTIFACTS.mkdir(exist_ok=True)
    target = str(ARTIFACTS / "certificate-page1")
    poppler("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path), target)
    assert (ARTIFACTS / "certificate-page1.png").stat().st_size > 10_000
