"""The certificate as a PDF: an HTML template (templates/certificates/pdf.html) rendered
by WeasyPrint on A4, with Noto Sans CJK (Debian's fonts-noto-cjk, found through
fontconfig and embedded, subset, in the file) and the verification QR code as an SVG
data URI drawn by segno.

The labels are the fixed Chinese of the official form (民发〔2015〕149号, 《志愿服务记录与
证明出具办法（试行）》2020), like the service record's export columns: the document is
Chinese whatever the interface language.
"""

from __future__ import annotations

import segno
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from certificates.models import Certificate, IdType

# The PDF's styles: a static file like every page's, found where collectstatic finds it.
STYLESHEET = "css/certificate.css"

ID_TYPE_TEXT = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.PASSPORT: "护照",
    IdType.HK_MACAO_PASS: "港澳居民来往内地通行证",
    IdType.TAIWAN_PASS: "台湾居民来往大陆通行证",
    IdType.OTHER: "其他证件",
}


def masked_id_number(certificate: Certificate) -> str:
    """Only the last four characters are kept: the rest is printed as asterisks."""
    if not certificate.id_last_four:
        return ""
    return "*" * 14 + certificate.id_last_four


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def certificate_html(certificate: Certificate, *, full_id_number: str = "") -> str:
    """``full_id_number``: the whole number the volunteer typed at download, checked
    against the stored last four (certificates.forms.FullIdForm); printed, never kept."""
    url = certificate.verify_url()
    return render_to_string(
        "certificates/pdf.html",
        {
            "c": certificate,
            "id_type": ID_TYPE_TEXT.get(certificate.id_type, ""),
            "id_number": full_id_number or masked_id_number(certificate),
            "verify_url": url,
            "qr": qr_data_uri(url),
        },
    )


def certificate_pdf(certificate: Certificate, *, full_id_number: str = "") -> bytes:
    from weasyprint import CSS, HTML  # imported when used: it loads pango, a second's work

    html = certificate_html(certificate, full_id_number=full_id_number)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
