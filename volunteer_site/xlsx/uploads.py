"""Receiving the uploaded file: the size limit (enforced while the request is read) and
the upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from volunteer_site.xlsx.errors import SpreadsheetError


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing it before reading when it is too large."""
    limit = settings.IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise SpreadsheetError(too_large_message(upload.size))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetError(too_large_message(len(data)))
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    return data


def too_large_message(size: int | None = None) -> str:
    limit = file_size_text(settings.IMPORT_MAX_BYTES)
    if size is None:
        return _(
            "The file is larger than %(limit)s, the most one import takes. "
            "Split it into several files and import them one after the other."
        ) % {"limit": limit}
    return _(
        "The file is %(size)s; the limit is %(limit)s. "
        "Split it into several files and import them one after the other."
    ) % {"size": file_size_text(size), "limit": limit}


def file_size_text(size: int) -> str:
    """10485760 → '10 MB'; 2048 → '2 KB'."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    return f"{max(size / 1024, 1):.0f} KB"


class _SizeLimitHandler(FileUploadHandler):
    """Skips a file as soon as it passes IMPORT_MAX_BYTES, so an oversized upload is
    neither kept in memory nor written to a temporary file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_upload_size(request: HttpRequest) -> None:
    """Install the size limit; call it before anything reads ``request.POST``
    (so in a ``csrf_exempt`` view that then applies ``csrf_protect`` itself)."""
    request.upload_handlers.insert(0, _SizeLimitHandler(request))


def upload_was_too_large(request: HttpRequest) -> bool:
    return any(
        isinstance(handler, _SizeLimitHandler) and handler.exceeded
        for handler in request.upload_handlers
    )


class SpreadsheetUploadForm(forms.Form):
    """The file to import. ``cleaned_data["data"]`` holds its bytes once valid."""

    file = forms.FileField(label=gettext_lazy("Spreadsheet file"))

    def __init__(self, *args, accept: str = ".xlsx,.csv", too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["file"].widget.attrs.update(accept=accept, **{"class": "form-control"})

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            # The oversized file was skipped while reading the request.
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())
            return cleaned
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["data"] = read_upload(upload)
            except SpreadsheetError as error:
                self.add_error("file", error.message)
        return cleaned
