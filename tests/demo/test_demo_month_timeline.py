"""The demo looks like a real month relative to the day it is seeded: documents issued on the
1st–5th and due after, payments spread over days and hours before and after the due dates,
each demo resident with a bill to pay, penalties only on what was paid late, a statement with
credits in suspense, a stuck checkout, a failed webhook delivery, and a clean ledger."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from debt_collection.models import PenaltyAccrual
from invoicing.models import DocumentStatus, PaymentDocument
from splitting.core.ledger_check import ledger_check
from splitting.core.outbox import MAX_ATTEMPTS
from splitting.models import (
    BankCredit,
    Checkout,
    CheckoutStatus,
    CreditStatus,
    DeliveryAttempt,
    OutboxStatus,
    Payment,
    SupplierEvent,
)
from warehouse.models import AccountHolder, Tenant

pytestmark = pytest.mark.django_db

DEMO = ("demo-ru", "demo-eu")


def zone(tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def documents():
    return PaymentDocument.objects.filter(tenant__code__in=DEMO).select_related("tenant")


def test_documents_are_issued_on_the_1st_to_5th_and_due_after_they_are_issued(seeded_on):
    now, _, _ = seeded_on
    issued = list(documents())

    assert issued, "the demo issued no documents"
    for document in issued:
        day = document.issued_at.astimezone(zone(document.tenant)).date()
        assert 1 <= day.day <= 5, (document.number, day)
        assert day < document.due_date, (document.number, day, document.due_date)
        assert document.issued_at <= now
        assert document.view["issued_on"] == day.isoformat()


def test_nothing_is_dated_after_the_moment_the_demo_is_seeded(seeded_on):
    now, _, _ = seeded_on

    assert not Payment.objects.filter(tenant__code__in=DEMO, booked_at__gt=now).exists()
    assert not PaymentDocument.objects.filter(tenant__code__in=DEMO, issued_at__gt=now).exists()


def test_payments_are_spread_over_days_and_hours_before_and_after_the_due_dates(seeded_on):
    now, _, _ = seeded_on
    payments = list(
        Payment.objects.filter(tenant__code__in=DEMO, document__isnull=False).select_related(
            "tenant", "document"
        )
    )
    local = [p.booked_at.astimezone(zone(p.tenant)) for p in payments]

    assert len(payments) >= 20
    assert len({at.hour for at in local}) >= 6
    assert len({at.date() for at in local}) >= 10
    assert len({p.booked_at for p in payments}) >= len(payments) * 0.9  # not one second
    assert all(7 <= at.hour <= 23 for at in local)
    before = [p for p, at in zip(payments, local, strict=True) if at.date() <= p.document.due_date]
    after = [p for p, at in zip(payments, local, strict=True) if at.date() > p.document.due_date]
    assert before and after
    assert {p.channel for p in payments} >= {"bank", "provider", "terminal", "cash_desk"}


def test_every_printed_resident_has_an_unpaid_current_bill(seeded_on):
    _, output, _ = seeded_on
    residents = [line.split()[0] for line in output.splitlines() if " resident " in line]
    assert residents == ["resident"]

    holdings = AccountHolder.objects.filter(user__username="resident").select_related("account")
    assert holdings.count() == 2
    for holding in holdings:
        current = (
            PaymentDocument.objects.filter(account=holding.account, status=DocumentStatus.ISSUED)
            .order_by("-period")
            .first()
        )
        assert current is not None and current.amount_due > 0
        assert not Payment.objects.filter(
            account=holding.account, booked_at__gte=current.issued_at
        ).exists()


def test_no_penalty_is_charged_on_a_document_paid_in_full_by_its_due_date(seeded_on):
    checked = 0
    for document in documents().filter(status=DocumentStatus.ISSUED, amount_due__gt=0):
        paid = Payment.objects.filter(document=document)
        on_time = [
            p
            for p in paid
            if p.booked_at.astimezone(zone(document.tenant)).date() <= document.due_date
        ]
        if sum(p.amount for p in on_time) < document.amount_due:
            continue
        checked += 1
        assert not PenaltyAccrual.objects.filter(
            tenant=document.tenant,
            base_item__account=document.account,
            base_item__period=document.period,
            amount__gt=0,
        ).exists(), document.number
    assert checked >= 5


def test_penalties_are_charged_only_on_what_was_overdue(seeded_on):
    for accrual in PenaltyAccrual.objects.filter(
        tenant__code__in=DEMO, amount__gt=0
    ).select_related("base_item"):
        assert accrual.base_item.due_date < accrual.through_date


def test_a_statement_left_credits_in_suspense_for_the_accountant(seeded_on):
    waiting = BankCredit.objects.filter(
        tenant__code__in=DEMO, status=CreditStatus.SUSPENSE, open_amount__gt=0
    )

    assert waiting.count() >= 1
    assert BankCredit.objects.filter(tenant__code__in=DEMO, status=CreditStatus.MATCHED).exists()


def test_a_card_checkout_is_stuck_created_for_more_than_an_hour(seeded_on):
    now, _, _ = seeded_on

    stuck = Checkout.objects.filter(
        tenant__code__in=DEMO,
        status=CheckoutStatus.CREATED,
        created_at__lt=now - dt.timedelta(hours=1),
        created_at__gt=now - dt.timedelta(hours=24),
    )

    assert stuck.count() >= 1
    assert all(c.provider_id.startswith("sbx_") for c in stuck)


def test_a_webhook_delivery_failed_after_its_retries(seeded_on):
    failed = SupplierEvent.objects.filter(tenant__code__in=DEMO, status=OutboxStatus.FAILED)

    assert failed.count() == 1
    event = failed.get()
    attempts = DeliveryAttempt.objects.filter(event=event).order_by("at")
    assert attempts.count() == event.attempts == MAX_ATTEMPTS
    assert all(a.error and a.status_code is None for a in attempts)
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] >= 30  # the backoff, not one second


def test_the_ledger_and_every_registered_invariant_hold(seeded_on):
    assert ledger_check() == []
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "Ledger OK" in out.getvalue()
    assert Tenant.objects.filter(code__in=DEMO).count() == 2
