"""The Simplified Chinese catalogue: complete, well-formed, compiled and in use.

The interface is Chinese first, so a msgid without a translation shows English to
every user. These tests fail (never skip) when the catalogue falls behind the code.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

from activities.models import Activity

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUE = Path("locale") / "zh_Hans" / "LC_MESSAGES" / "django.po"
PO_PATH = BASE_DIR / CATALOGUE
MO_PATH = PO_PATH.with_suffix(".mo")

# Exactly the command the README asks developers to run.
MAKEMESSAGES = [
    "manage.py",
    "makemessages",
    "-l",
    "zh_Hans",
    "--add-location=file",
    "-i",
    ".venv/*",
    "-i",
    "node_modules/*",
    "-i",
    "staticfiles/*",
]
NOT_COPIED = shutil.ignore_patterns(
    ".venv",
    "node_modules",
    "staticfiles",
    ".git",
    "*.sqlite3",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "test-artifacts",
)

# %(name)s, %(name)d, %s, %d ... ; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def describe(entries) -> str:
    """One line per entry: the msgid and the files it comes from."""
    lines = []
    for entry in entries:
        where = ", ".join(path for path, _line in entry.occurrences) or "no location"
        lines.append(f"  - {entry.msgid!r}  ({where})")
    return "\n".join(lines)


# Called under another name so that makemessages does not collect the strings below
# as if this test module were part of the interface.
translate = translation.gettext


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


# --- the committed .po -------------------------------------------------------


def test_header_is_for_simplified_chinese(catalogue):
    assert not catalogue.metadata_is_fuzzy, "remove '#, fuzzy' from the header entry"
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert catalogue.metadata["Project-Id-Version"] == "volunteer-site"


def test_every_entry_is_translated(catalogue):
    untranslated = catalogue.untranslated_entries()
    fuzzy = catalogue.fuzzy_entries()
    obsolete = catalogue.obsolete_entries()
    assert not untranslated, f"{CATALOGUE} has untranslated entries:\n{describe(untranslated)}"
    assert not fuzzy, (
        f"{CATALOGUE} has fuzzy entries; check each translation and remove the "
        f"'#, fuzzy' flag:\n{describe(fuzzy)}"
    )
    assert not obsolete, (
        f"{CATALOGUE} has obsolete (#~) entries; delete them:\n{describe(obsolete)}"
    )
    assert catalogue.percent_translated() == 100


def test_placeholders_match(catalogue):
    wrong = []
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            translations = entry.msgstr_plural.values()
        else:
            expected = placeholders(entry.msgid)
            translations = [entry.msgstr]
        for msgstr in translations:
            found = placeholders(msgstr)
            if found != expected:
                wrong.append(
                    f"  - {entry.msgid!r}: expected {sorted(expected.elements())}, "
                    f"msgstr {msgstr!r} has {sorted(found.elements())}"
                )
    assert not wrong, "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


# --- complete for the current code --------------------------------------------


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail(
            "GNU gettext (xgettext, msgmerge) is not installed, so the catalogue cannot be "
            "checked against the code. Install it: apt-get install gettext "
            "(make test installs it)."
        )
    copy = tmp_path / "site"
    shutil.copytree(BASE_DIR, copy, ignore=NOT_COPIED)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "PYTHONPATH"))
    }
    environment.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="volunteer_site.settings",
        PYTHONDONTWRITEBYTECODE="1",
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *MAKEMESSAGES],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    regenerated = polib.pofile(str(copy / CATALOGUE))
    missing = regenerated.untranslated_entries() + regenerated.fuzzy_entries()
    assert not missing, (
        f"{len(missing)} string(s) in the code have no Chinese translation. Run\n"
        f"  DJANGO_DEBUG=1 python {shlex.join(MAKEMESSAGES)}\n"
        f"then translate these entries in {CATALOGUE} (and clear any '#, fuzzy' flag):\n"
        f"{describe(missing)}"
    )


# --- compiled and in use --------------------------------------------------------


def test_compiled_catalogue_matches_the_po(catalogue):
    assert MO_PATH.exists(), (
        f"{MO_PATH.relative_to(BASE_DIR)} is missing; run: python manage.py compile_catalogues"
    )
    # Keyed by context too: the same English text may mean two things (pgettext).
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.mofile(str(MO_PATH))
        if entry.msgid
    }
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr for entry in catalogue.translated_entries()
    }
    assert compiled == source, (
        f"{MO_PATH.relative_to(BASE_DIR)} is out of date; run: python manage.py compile_catalogues"
    )


def test_chinese_is_used_in_zh_hans():
    with translation.override("zh-hans"):
        assert translate("Log in") == "登录"
        assert translate("Log out") == "退出登录"
        assert str(Activity._meta.verbose_name) == "志愿服务活动"
        assert translate("The end date cannot be before the start date.") == (
            "结束日期不能早于开始日期。"
        )


def test_english_shows_the_msgids():
    with translation.override("en"):
        assert translate("Log in") == "Log in"
        assert str(Activity._meta.verbose_name) == "volunteer service activity"


def test_placeholders_are_filled_in_chinese():
    with translation.override("zh-hans"):
        message = translate(
            "A participant's hours (%(hours)s) cannot be more than the activity's hours "
            "(%(activity_hours)s)."
        ) % {"hours": "5", "activity_hours": "3"}
    assert message == "参与者的服务时长（5小时）不能超过活动时长（3小时）。"


def test_an_uncompiled_catalogue_stops_the_run_with_one_clear_message(tmp_path):
    """conftest.catalogue_problem, which pytest_sessionstart turns into one message."""
    import os

    from conftest import catalogue_problem

    po = tmp_path / "django.po"
    po.write_text("")
    assert catalogue_problem(po) == "django.mo is missing"
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"")
    os.utime(mo, (1, 1))
    assert catalogue_problem(po) == "django.mo is older than django.po"
    os.utime(mo, None)
    os.utime(po, (1, 1))
    assert catalogue_problem(po) is None
