"""Reads behind the resident's bills, history and paying pages. Every read starts from an
account the resident holds (`held_account`), found through `warehouse.scoping.scope`; amounts
are integers in minor units."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.http import Http404

from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.selectors import PaidState, open_by_period, paid_state
from splitting.models import Allocation, AllocationKind, Payment, PaymentStatus
from splitting.selectors import account_position
from warehouse.models import (
    Account,
    AccountHolder,
    BatchStatus,
    Charge,
    Service,
    Supplier,
)
from warehouse.scoping import scope

HISTORY_MONTHS = 12


def held_account(user, tenant_code: str, account_number: str) -> Account:
    """The account `user` holds (an AccountHolder of theirs), or 404 — also for staff and
    supplier users who may see the account elsewhere: these pages are the holder's."""
    holder = (
        scope(user, AccountHolder)
        .filter(
            user=user,
            account__tenant__code=tenant_code,
            account__account_number=account_number,
        )
        .select_related("account__tenant", "account__premises__building")
        .first()
    )
    if holder is None:
        raise Http404
    return holder.account


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    document: PaymentDocument
    open_now: int  # what of the document's debt (its period and older) is still open
    state: str

    @property
    def paid(self) -> bool:
        return self.state == PaidState.PAID


def document_state(document: PaymentDocument, open_periods: dict[str, int], today) -> DocumentRow:
    state, open_now = paid_state(document, open_periods, today)
    return DocumentRow(document, open_now, state)


def document_row(account: Account, document: PaymentDocument, *, today) -> DocumentRow:
    return document_state(document, open_by_period(account.pk), today)


def account_documents(account: Account, *, today) -> list[DocumentRow]:
    """The account's issued documents, newest first, each with its paid state (two queries)."""
    open_periods = open_by_period(account.pk)
    documents = PaymentDocument.objects.filter(
        account=account, status=DocumentStatus.ISSUED
    ).order_by("-period")
    return [document_state(d, open_periods, today) for d in documents.defer("view")]


def account_document(account: Account, period: str, *, with_view: bool = True) -> PaymentDocument:
    """The account's issued document of `period`, or 404; `with_view=False` defers the frozen
    view (read on first use) for a page that may not need it."""
    documents = PaymentDocument.objects.select_related("tenant").filter(
        account=account, period=period, status=DocumentStatus.ISSUED
    )
    document = (documents if with_view else documents.defer("view")).first()
    if document is None:
        raise Http404
    return document


# --- charges over time -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeHistory:
    periods: list[str]  # oldest first
    by_supplier: dict[str, list[int]]  # supplier name → amount per period
    rows: list[tuple[str, str, list[int]]]  # (supplier name, service name, amount per period)
    totals: list[int]


def charge_history(account: Account, *, months: int = HISTORY_MONTHS) -> ChargeHistory:
    """The posted charges of the last `months` periods that have any, per supplier and
    service (all kinds: recalculations and privileges reduce the month's amount)."""
    charges = Charge.objects.filter(account=account, batch__status=BatchStatus.POSTED)
    periods = sorted(
        charges.values_list("period", flat=True).distinct().order_by("-period")[:months]
    )
    sums = (
        charges.filter(period__in=periods)
        .values("supplier_id", "service_id", "period")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    suppliers = dict(Supplier.objects.filter(tenant_id=account.tenant_id).values_list("pk", "name"))
    services = dict(Service.objects.filter(tenant_id=account.tenant_id).values_list("pk", "name"))
    index = {period: i for i, period in enumerate(periods)}
    by_supplier: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    by_service: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(periods))
    for row in sums:
        supplier = suppliers.get(row["supplier_id"], "?")
        service = services.get(row["service_id"], "?")
        by_supplier[supplier][index[row["period"]]] += row["amount"]
        by_service[(supplier, service)][index[row["period"]]] += row["amount"]
    totals = [sum(values[i] for values in by_supplier.values()) for i in range(len(periods))]
    return ChargeHistory(
        periods=periods,
        by_supplier=dict(sorted(by_supplier.items())),
        rows=[(s, v, amounts) for (s, v), amounts in sorted(by_service.items())],
        totals=totals,
    )


# --- payments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaidLine:
    supplier: str  # name
    period: str
    amount: int


@dataclass
class PaymentRow:
    payment: Payment
    lines: list[PaidLine] = field(default_factory=list)

    @property
    def reversed(self) -> bool:
        return self.payment.status != PaymentStatus.BOOKED


def payment_history(account: Account, *, limit: int = 100) -> list[PaymentRow]:
    """The account's payments, newest first, each with what it paid per supplier and period
    (its advance applied later included) — two queries whatever the number of payments."""
    payments = list(Payment.objects.filter(account=account).order_by("-received_at", "-pk")[:limit])
    rows = {payment.pk: PaymentRow(payment) for payment in payments}
    allocations = (
        Allocation.objects.filter(
            payment_id__in=list(rows),
            kind__in=[AllocationKind.PAYMENT, AllocationKind.ADVANCE],
        )
        .values("payment_id", "supplier__name", "period")
        .annotate(amount=Sum("amount"))
        .order_by("payment_id", "period", "supplier__name")
    )
    for line in allocations:
        if line["amount"]:
            rows[line["payment_id"]].lines.append(
                PaidLine(line["supplier__name"], line["period"], line["amount"])
            )
    return list(rows.values())


def payment_lines(payment: Payment) -> list[PaidLine]:
    """What one payment paid, per supplier (by name) and period."""
    rows = (
        Allocation.objects.filter(
            payment=payment, kind__in=[AllocationKind.PAYMENT, AllocationKind.ADVANCE]
        )
        .values("supplier__name", "period")
        .annotate(amount=Sum("amount"))
        .order_by("period", "supplier__name")
    )
    return [PaidLine(r["supplier__name"], r["period"], r["amount"]) for r in rows if r["amount"]]


def account_payment(account: Account, pk: int) -> Payment:
    payment = (
        Payment.objects.filter(account=account, pk=pk).select_related("tenant", "account").first()
    )
    if payment is None:
        raise Http404
    return payment


# --- paying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierDue:
    code: str
    name: str
    open: int  # what the payer may direct to this supplier now


@dataclass(frozen=True)
class PayPosition:
    total_due: int
    advance: int
    suppliers: list[SupplierDue]

    def open_of(self, code: str) -> int:
        return next((s.open for s in self.suppliers if s.code == code), 0)


def pay_position(account: Account) -> PayPosition:
    """What is open per supplier now (debts only: a supplier in credit is not offered)."""
    position = account_position(account)
    suppliers = [
        SupplierDue(p.supplier.code, p.supplier.name, p.open)
        for p in sorted(position.suppliers, key=lambda p: p.supplier.name)
        if p.open > 0
    ]
    return PayPosition(position.total_due, position.advance, suppliers)
