"""``manage.py member_names [--apply]``: members stored with a look-alike volunteer number
or name (full-width characters, invisible characters), from before the roster normalised
them (``volunteer_site.names.normalise_name``).

Not a migration: a stored “V001\\u200b” whose plain form V001 another member already
has is the same volunteer registered twice, and which record to keep is a person's
decision. Without ``--apply`` the command only lists; with it, it rewrites every
member whose plain number is free (through the roster's service, so the history
records it) and lists the duplicates left for the secretary or an administrator.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from members.models import Member
from members.services import member_update
from volunteer_site.names import INVISIBLE, normalise_name


def shown(text: str) -> str:
    """``text`` in quotes, its invisible characters written as \\uXXXX."""
    return "“" + INVISIBLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "”"


class Command(BaseCommand):
    help = (
        "列出（加 --apply 则改正）以全角或不可见字符保存的志愿者编号和姓名。 "
        "List (with --apply, fix) members whose volunteer number or name is stored in a "
        "look-alike form; duplicates are listed for a person to resolve."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Rewrite those whose plain number is free."
        )

    def handle(self, *args, apply: bool = False, **options) -> None:
        found = fixed = duplicates = 0
        for member in Member.objects.select_related("team").order_by("pk").iterator():
            number, name = normalise_name(member.volunteer_number), normalise_name(member.name)
            if (number, name) == (member.volunteer_number, member.name):
                continue
            found += 1
            stored = f"{shown(member.volunteer_number)} {shown(member.name)}"
            where = f"#{member.pk} {member.team.name}: {stored}"
            holder = Member.objects.filter(volunteer_number=number).exclude(pk=member.pk).first()
            if holder is not None:
                duplicates += 1
                self.stdout.write(
                    f"DUPLICATE {where}: {number} is #{holder.pk} {holder.name} "
                    f"({holder.team.name}); resolve by hand"
                )
                continue
            if not apply:
                self.stdout.write(f"{where} → {number} {name}")
                continue
            try:
                member_update(member=member, by=None, volunteer_number=number, name=name)
            except ValidationError as error:
                self.stdout.write(f"NOT FIXED {where}: {'; '.join(error.messages)}")
                continue
            fixed += 1
            self.stdout.write(f"FIXED {where} → {number} {name}")
        self.stdout.write(
            f"{found} member(s) stored in a look-alike form, {fixed} fixed, "
            f"{duplicates} duplicate(s) to resolve by hand."
        )
