"""Crafting .xlsx files no spreadsheet program writes, for the bad-input tests."""

from __future__ import annotations

import io
import zipfile

# A number openpyxl writes as it is; ``with_raw_number`` swaps it for text openpyxl
# cannot write (1E999 reads back as infinity).
PLACEHOLDER = 987654.25


def with_raw_number(data: bytes, raw: str, placeholder: float = PLACEHOLDER) -> bytes:
    """``data`` with every numeric cell holding ``placeholder`` holding ``raw`` instead."""
    before = f"<v>{placeholder!r}</v>".encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    found = False
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and before in content:
                content = content.replace(before, f"<v>{raw}</v>".encode())
                found = True
            target.writestr(info, content)
    assert found, f"no cell holds {placeholder!r}"
    return buffer.getvalue()
