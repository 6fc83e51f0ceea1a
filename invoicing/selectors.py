"""Reads of payment documents: the frozen view behind every rendering, with the pay link and
TAN derived again (they are never stored in clear)."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from invoicing.document_view import DocumentView, Party, ServiceLine, SupplierBlock
from invoicing.models import BillingPeriod, DocumentStatus, PaymentDocument
from invoicing.services import pay_links
from warehouse.models import OpenItem, Tenant
from warehouse.selectors_open_items import is_past_due, open_debt_q


def document_view(document: PaymentDocument, *, base_url: str = "") -> DocumentView:
    data = dict(document.view)

    def party(value: dict) -> Party:
        return Party(**value)

    def decimal(value):
        return None if value in (None, "") else Decimal(str(value))

    suppliers = tuple(
        SupplierBlock(
            code=b["code"],
            name=b["name"],
            party=party(b["party"]),
            opening=b["opening"],
            lines=tuple(
                ServiceLine(
                    **{
                        **line,
                        "quantity": decimal(line["quantity"]),
                        "tariff": decimal(line["tariff"]),
                    }
                )
                for line in b["lines"]
            ),
            payments=b["payments"],
            amount_due=b["amount_due"],
        )
        for b in data.pop("suppliers")
    )
    tenant_requires_tan = document.tenant.tan_required
    token = pay_links.pay_token(document.pay_salt)
    return DocumentView(
        **{
            **data,
            "operator": party(data["operator"]),
            "issued_on": date.fromisoformat(data["issued_on"]),
            "due_date": date.fromisoformat(data["due_date"]),
            "area_m2": decimal(data["area_m2"]),
            "suppliers": suppliers,
            "pay_url": f"{base_url.rstrip('/')}/pay/{token}",
            "tan": pay_links.tan_for(document.pay_salt) if tenant_requires_tan else None,
        }
    )


def documents_of_period(tenant: Tenant, period: str) -> QuerySet[PaymentDocument]:
    return PaymentDocument.objects.filter(
        tenant=tenant, period=period, status=DocumentStatus.ISSUED
    ).select_related("tenant", "account__premises__building")


def print_order(documents: QuerySet[PaymentDocument]) -> QuerySet[PaymentDocument]:
    """The order of a print run: delivery route, building, premises, account."""
    return documents.order_by(
        "account__delivery_route",
        "account__premises__building__address",
        "account__premises__number",
        "account__account_number",
    )


def document_by_pay_token(token: str) -> PaymentDocument | None:
    return (
        PaymentDocument.objects.select_related("tenant", "account")
        .filter(pay_token_hash=pay_links.digest(token))
        .first()
    )


def billing_periods(tenant: Tenant) -> QuerySet[BillingPeriod]:
    return BillingPeriod.objects.filter(tenant=tenant).order_by("-period")


class PaidState:
    PAID = "paid"  # every debt the document asked for is cleared (any channel)
    PARTLY = "partly"  # some of it is cleared
    DUE = "due"
    OVERDUE = "overdue"


def open_by_period(account_id: int) -> dict[str, int]:
    """What the account still owes, per period."""
    rows = (
        OpenItem.objects.filter(open_debt_q(), account_id=account_id)
        .values("period")
        .annotate(open=Sum("open_amount"))
    )
    return {row["period"]: row["open"] for row in rows}


def paid_state(document: PaymentDocument, open_periods: dict[str, int], today) -> tuple[str, int]:
    """(state, what of the document's debt is still open). A document is paid when nothing of
    what it billed — the open items of its period and the periods before — is still open,
    whichever channel cleared them. The cabinet's status icon and the documents API both read
    it here."""
    open_now = sum(amount for period, amount in open_periods.items() if period <= document.period)
    if open_now <= 0 or document.amount_due == 0:
        state = PaidState.PAID
    elif open_now < document.amount_due:
        state = PaidState.PARTLY
    elif is_past_due(document.due_date, today):
        state = PaidState.OVERDUE
    else:
        state = PaidState.DUE
    return state, max(open_now, 0)


# --- the operator's bills list and desk ---------------------------------------------------------


def open_by_period_of(account_ids) -> dict[int, dict[str, int]]:
    """`open_by_period` of many accounts in one query: account → period → still owed."""
    rows = (
        OpenItem.objects.filter(open_debt_q(), account_id__in=list(account_ids))
        .values("account_id", "period")
        .annotate(open=Sum("open_amount"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["account_id"], {})[row["period"]] = row["open"]
    return out


def paid_states(documents, today) -> dict[int, str]:
    """The paid state (`paid_state`, the cabinet's status icon's rule) of each document, by pk —
    one query for the lot (a page of the bills list)."""
    documents = list(documents)
    open_periods = open_by_period_of({d.account_id for d in documents})
    return {d.pk: paid_state(d, open_periods.get(d.account_id, {}), today)[0] for d in documents}


def documents_matching(documents: QuerySet[PaymentDocument], text: str):
    """`documents` whose account number, payer or payment reference contains `text`."""
    text = text.strip()
    if not text:
        return documents
    return documents.filter(
        Q(account__account_number__icontains=text)
        | Q(account__payer_name__icontains=text)
        | Q(reference__icontains=text.replace(" ", ""))
    )


def documents_of_reference(tenant_ids, reference: str) -> QuerySet[PaymentDocument]:
    """The issued documents of these tenants whose payment reference is exactly `reference`
    (spaces ignored, as it is printed in groups) — index `one_issued_document_per_reference`."""
    return PaymentDocument.objects.filter(
        tenant_id__in=tenant_ids,
        reference=reference.replace(" ", "").upper(),
        status=DocumentStatus.ISSUED,
    ).select_related("account__tenant")
