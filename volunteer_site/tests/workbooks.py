"""Crafting .xlsx files no spreadsheet program writes, for the bad-input tests."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

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


def decompression_bomb(
    path: Path,
    *,
    rows: int = 1238,
    columns: int = 16384,
    dimension: str | None = "A1:XFD1238",
    understate_to: int | None = None,
) -> Path:
    """A workbook whose one sheet holds ``rows`` × ``columns`` cells of 1: with the
    defaults, 600 KB that unpack to 300 MB. ``understate_to`` makes the zip's
    directory claim the sheet unpacks to that many bytes."""
    book = Workbook()
    book.active.title = "注册志愿者"
    book.active.append(["志愿者编号", "姓名"])
    template = zipfile.ZipFile(io.BytesIO(_saved(book)))
    sheet_name = "xl/worksheets/sheet1.xml"
    with (
        path.open("wb") as file,
        zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
    ):
        for info in template.infolist():
            if info.filename != sheet_name:
                archive.writestr(info.filename, template.read(info.filename))
                continue
            with archive.open(sheet_name, "w") as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                if dimension:
                    sheet.write(b'<dimension ref="%s"/>' % dimension.encode())
                sheet.write(b"<sheetData>")
                cells = b"<c><v>1</v></c>" * columns
                for number in range(1, rows + 1):
                    sheet.write(b'<row r="%d">%s</row>' % (number, cells))
                sheet.write(b"</sheetData></worksheet>")
    if understate_to is not None:
        _understate(path, sheet_name.encode(), understate_to)
    return path


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _understate(path: Path, name: bytes, size: int) -> None:
    """Rewrite the uncompressed size the zip's central directory gives for ``name``."""
    data = bytearray(path.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        (name_length,) = struct.unpack_from("<H", data, start + 28)
        if data[start + 46 : start + 46 + name_length] == name:
            struct.pack_into("<I", data, start + 24, size)
            path.write_bytes(bytes(data))
            return
        start += 4
    raise AssertionError(f"{name!r} is not in the zip's directory")


def with_central_directory_field(data: bytes, name: bytes, offset: int, fmt: str, value) -> bytes:
    """``data`` with a field of ``name``'s entry in the zip's central directory rewritten
    (offset 8: the flags, bit 0 meaning encrypted; 10: the compression method)."""
    patched = bytearray(data)
    start = 0
    while (start := patched.find(b"PK\x01\x02", start)) != -1:
        (name_length,) = struct.unpack_from("<H", patched, start + 28)
        if patched[start + 46 : start + 46 + name_length] == name:
            struct.pack_into(fmt, patched, start + offset, value)
            return bytes(patched)
        start += 4
    raise AssertionError(f"{name!r} is not in the zip's directory")
