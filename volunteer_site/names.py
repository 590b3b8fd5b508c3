"""People's names: how they are shown, and how they are compared and stored."""

from __future__ import annotations

import re
import unicodedata

# Characters that show as nothing: zero-width spaces, joiners and marks
# (U+200B–U+200F), the word joiner, the byte-order mark, and the bidirectional
# controls (U+202A–U+202E, U+2066–U+2069), which can also reorder what is shown.
INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def normalise_name(text: str) -> str:
    """A volunteer number or a person's name as it is stored and compared.

    Compatibility forms are folded (NFKC: full-width “Ｖ００１” is “V001”),
    invisible characters removed and surrounding whitespace trimmed, so that
    what looks the same is the same: “V001\\u200b” cannot become a second member
    beside “V001”. Every way a member is written or looked up goes through it:
    the roster form and its search, the services, both imports.
    """
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


def person_name(user) -> str:
    """A user's name in Chinese order (family name first), else the login name."""
    if user is None:
        return ""
    return name_of(user.last_name, user.first_name, user.get_username())


def name_of(last_name: str, first_name: str, username: str) -> str:
    """``person_name`` from the three columns (for rows read without a model)."""
    return f"{last_name}{first_name}".strip() or username


def pinyin_syllables(name: str) -> list[str]:
    """The name's pinyin without tones, one lower-case syllable per character
    (other characters kept as they are): 次仁 → ["ci", "ren"]."""
    from pypinyin import lazy_pinyin

    return [syllable.strip().lower() for syllable in lazy_pinyin(normalise_name(name))]


def pinyin_key(name: str) -> str:
    """How people's names are sorted, the same on every database: by pinyin, syllable
    by syllable (次仁 "ci ren" before 次旺 "ci wang"), the name itself breaking ties.

    The one place the site sorts names by pinyin: the project-lead picker uses it."""
    return " ".join(pinyin_syllables(name)) + "\x00" + name


def pinyin_initials(name: str) -> str:
    """The first letter of each syllable: 次仁 → "cr" (what people type to find a name)."""
    return "".join(syllable[:1] for syllable in pinyin_syllables(name) if syllable)
