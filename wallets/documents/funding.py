"""The funding instruction: one A4 page telling a payer's accountant whom to pay (the operator's
bank details), the reference to quote, and a payment QR in the country's format that leaves the
amount to the payer."""

from __future__ import annotations

import io
import logging

from django.utils import timezone
from reportlab.lib.units import mm

from core.documents.pdf import BOLD, INK, SOFT
from invoicing import qr as payment_qr
from invoicing.references import format_reference
from wallets.documents.page import MARGIN, MONO_BOLD, WIDTH, Page, new_canvas
from wallets.documents.texts import labels, local_time, printed_today
from wallets.models import Wallet
from warehouse.countries import QrKind
from warehouse.models import Tenant

logger = logging.getLogger(__name__)

QR_SIZE = 50 * mm  # the symbol with its quiet zone
LABEL_WIDTH = 130  # the payee's table: labels left, values beside


def funding_instruction_pdf(wallet: Wallet) -> bytes:
    """One A4 page: whom to pay (the operator's bank details), the reference to quote, who pays,
    and a payment QR that leaves the amount to the payer."""
    tenant, payer = wallet.tenant, wallet.payer
    L = labels(tenant)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"{L['funding']} {wallet.funding_reference}")
    page = Page(canvas)
    top = page.header(tenant, L["funding"], L["funding_sub"]) + 14
    top = _payer(page, wallet, L, top) + 16
    top = _reference_box(page, wallet, L, top) + 16
    top = _payee(page, tenant, L, top) + 14
    page.lines(MARGIN, top, L["funding_note"].format(currency=wallet.currency), WIDTH, 9)
    day = printed_today(tenant)
    page.footer(f"{L['generated'].format(day=day)} · {payer.name} · {wallet.funding_reference}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _payer(page: Page, wallet: Wallet, L: dict, top: float) -> float:
    payer = wallet.payer
    column = (WIDTH - 20) / 2
    y = page.field(MARGIN, top, L["payer"], payer.name, column)
    y = page.lines(MARGIN, y, f"{L['payer_tax_id']} {payer.tax_id}", column, 9)
    z = page.field(MARGIN + column + 20, top, L["currency"], wallet.currency, column)
    return max(y, z)


def _reference_box(page: Page, wallet: Wallet, L: dict, top: float) -> float:
    """The reference, big, with what to do with it; the QR beside it, its caption below."""
    tenant = wallet.tenant
    payload = _funding_qr(wallet, L)
    box_h = QR_SIZE + 16
    page.rect(MARGIN, top, WIDTH, box_h, stroke=INK, width=1.2)
    inner_w = WIDTH - (QR_SIZE + 36 if payload else 28)
    left = MARGIN + 16
    page.text(left, top + 26, L["reference"], 9, color=SOFT)
    shown = format_reference(wallet.funding_reference)
    page.text(left, top + 60, shown, page.fitted(shown, inner_w, 26, MONO_BOLD), MONO_BOLD)
    # An IBAN transfer carries the RF reference in its own field (SCOR); a transfer to Russian
    # bank details carries it in the payment purpose, so the purpose to type is spelled out.
    quote = L["quote_scor"] if tenant.country.uses_iban else L["quote_purpose"]
    y = page.lines(left, top + 72, quote, inner_w, 10, BOLD)
    if not tenant.country.uses_iban:
        purpose = L["purpose_text"].format(reference=wallet.funding_reference)
        page.lines(left, y + 4, f"{L['purpose']}: «{purpose}»", inner_w, 9)
    if payload:
        x = MARGIN + WIDTH - QR_SIZE - 8
        page.qr(payment_qr.qr_matrix(payload), x, top + 8, QR_SIZE)
    top += box_h + 6
    caption = L["funding_qr"] if payload else L["funding_no_qr"]
    return page.lines(MARGIN, top, caption, WIDTH, 8, color=SOFT)


def _payee(page: Page, tenant: Tenant, L: dict, top: float) -> float:
    """The payee's bank details, one row each."""
    page.text(MARGIN, top + 12, L["payee"], 12, BOLD)
    top += 20
    page.rule(top)
    for label, value in _payee_rows(tenant, L):
        y = page.lines(MARGIN + LABEL_WIDTH, top + 2, value, WIDTH - LABEL_WIDTH, 10, BOLD)
        page.text(MARGIN, top + 14, label, 9, color=SOFT)
        top = max(y, top + 18) + 4
        page.rule(top)
    return top


def _payee_rows(tenant: Tenant, L: dict) -> list[tuple[str, str]]:
    rows = [(L["payee_name"], tenant.name)]
    if tenant.country.uses_ru_bank_details:
        ids = " / ".join(value for value in (tenant.inn, tenant.kpp) if value)
        rows += [
            (L["tax_ids"], ids),
            (L["bank"], tenant.bank_name),
            (L["bic"], tenant.bic),
            (L["account"], tenant.bank_account),
            (L["corr_account"], tenant.corr_account),
        ]
    else:
        iban = " ".join(tenant.iban[i : i + 4] for i in range(0, len(tenant.iban), 4))
        rows += [
            (L["tax_ids"], tenant.tax_id),
            (L["iban"], iban),
            (L["bic"], tenant.bic),
            (L["bank"], tenant.bank_name),
        ]
    return [(label, value) for label, value in rows if value]


# --- the payment QR, without an amount -----------------------------------------------------


def _funding_qr(wallet: Wallet, L: dict) -> str | None:
    """The tenant's payment QR (its country's kind) without an amount, or None when the bank
    details do not make one (logged: the operator has to complete them)."""
    payloads = {QrKind.GOST: _gost_payload, QrKind.EPC: _epc_payload, QrKind.SWISS: _swiss_payload}
    try:
        return payloads[wallet.tenant.country.qr_kind](wallet, L)
    except ValueError as exc:
        logger.warning("no funding QR for wallet %s: %s", wallet.pk, exc)
    return None


def _gost_payload(wallet: Wallet, L: dict) -> str:
    tenant, reference = wallet.tenant, wallet.funding_reference
    payer_inn = wallet.payer.tax_id
    extra = {"PayerINN": payer_inn} if payer_inn.isdigit() and len(payer_inn) in (10, 12) else {}
    today = local_time(timezone.now(), tenant).date()
    return payment_qr.gost_payload(
        payment_qr.GostPayee(
            name=tenant.name,
            personal_acc=tenant.bank_account,
            bank_name=tenant.bank_name,
            bic=tenant.bic,
            corresp_acc=tenant.corr_account or "0",
            payee_inn=tenant.inn,
            kpp=tenant.kpp or "0",
        ),
        sum_minor=None,
        purpose=L["purpose_text"].format(reference=reference),
        # The builder requires both: the wallet's reference is its "account", and the month the
        # instruction was made is as good a period as any (banks ignore it).
        pers_acc=reference,
        paym_period=today.strftime("%m%Y"),
        extra=extra,
        tech_code="15",  # "other services": a top-up is no housing bill (02)
    )


def _epc_payload(wallet: Wallet, L: dict) -> str | None:
    """A SEPA credit transfer's QR is for euros only."""
    if wallet.currency != "EUR":
        return None
    tenant = wallet.tenant
    return payment_qr.epc_payload(
        bic=tenant.bic,
        name=tenant.name[:70],
        iban=tenant.iban,
        amount_minor=None,
        reference=wallet.funding_reference,
    )


def _swiss_payload(wallet: Wallet, L: dict) -> str | None:
    """A QR-bill with the RF reference (SCOR): a QR-IBAN would take only a QRR reference."""
    tenant = wallet.tenant
    if payment_qr.is_qr_iban(tenant.iban):
        return None
    street, _, place = tenant.address.rpartition(",")
    postcode, _, town = place.strip().partition(" ")
    return payment_qr.swiss_payload(
        iban=tenant.iban,
        creditor=payment_qr.SwissAddress(
            name=tenant.name[:70],
            street=street.strip()[:70],
            postcode=postcode[:16],
            town=town.strip()[:35] or postcode,
            country="CH",
        ),
        amount_minor=None,
        currency=wallet.currency,
        debtor=None,
        reference_type="SCOR",
        reference=wallet.funding_reference,
        message=None,
    )
