"""The payment document as an HTML fragment for the cabinet (`<article class="payment-document">`),
from the same rows as the PDF; the QR is inline SVG from segno."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.money import display_language
from invoicing.document_view import DocumentView
from invoicing.rendering import QR_BORDER, build_sheet, make_qr
from warehouse.countries import BillLayout

TEMPLATES = {
    BillLayout.EPD: "invoicing/document_ru.html",
    BillLayout.INVOICE: "invoicing/document_sepa.html",
}


def render_html(view: DocumentView) -> str:
    sheet = build_sheet(view)
    qr_svg = ""
    if view.qr_payload:
        # segno writes only the modules' path: nothing of the payload reaches the markup.
        svg = make_qr(view.qr_payload).svg_inline(
            scale=1, border=QR_BORDER, omitsize=True, svgclass="qr-code", lineclass=None
        )
        qr_svg = mark_safe(svg)  # noqa: S308
    template = TEMPLATES[view.country.bill_layout]
    return render_to_string(
        template,
        {
            "view": view,
            "sheet": sheet,
            "L": sheet.labels,
            "lang": display_language(view),
            "qr_svg": qr_svg,
        },
    )
