"""Closing runs as Celery chunks of accounts: every account gets exactly one document, a
retried chunk duplicates nothing, an interrupted close resumes, and a payment that arrives
while the documents are being issued does not break their sums."""

import pytest
from django.db import transaction

from invoicing.models import BillingPeriod, PaymentDocument, PeriodStatus
from invoicing.services import closing
from tests.month_end import month_end_close
from warehouse.models import Account, OpenItem
from warehouse.services.open_items import ClearingRequest, open_items_clear

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

FILE = """
supplier_account,service_code,amount
VK-0001,01,100.00
VK-0002,01,20.00
VK-0003,01,30.00
VK-0004,01,40.00
VK-0005,01,50.00
"""


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(closing, "CHUNK_SIZE", 2)


def test_every_account_gets_one_document_across_chunks(world, small_chunks):
    world.import_(FILE)

    result = month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)

    accounts = Account.objects.filter(tenant=world.tenant).count()
    assert len(closing.chunks_of(result.billing_period)) == (accounts + 1) // 2
    billing_period = BillingPeriod.objects.get()
    assert billing_period.status == PeriodStatus.CLOSED
    assert billing_period.documents_issued == billing_period.documents_total == accounts
    assert PaymentDocument.objects.count() == accounts


def test_a_retried_chunk_issues_nothing_twice(world, small_chunks):
    world.import_(FILE)
    result = month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)
    first_chunk = closing.chunks_of(result.billing_period)[0]

    assert closing.issue_chunk(result.billing_period.pk, first_chunk) == 0

    assert PaymentDocument.objects.count() == Account.objects.filter(tenant=world.tenant).count()


def test_an_interrupted_close_resumes_where_it_stopped(world, small_chunks, monkeypatch):
    world.import_(FILE)
    chunks_run = []

    def dies_after_the_first_chunk(billing_period):
        chunks = closing.chunks_of(billing_period)
        closing.issue_chunk(billing_period.pk, chunks[0])
        chunks_run.append(chunks[0])

    with monkeypatch.context() as patch:
        patch.setattr(closing, "_dispatch", dies_after_the_first_chunk)
        month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)
    assert BillingPeriod.objects.get().status == PeriodStatus.CLOSING
    assert PaymentDocument.objects.count() == 2

    result = month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)

    assert result.billing_period.status == PeriodStatus.CLOSED
    accounts = Account.objects.filter(tenant=world.tenant).count()
    assert PaymentDocument.objects.count() == accounts
    assert (PaymentDocument.objects.values("account").distinct().count()) == accounts


def test_a_payment_during_the_close_is_left_for_the_next_document(world, small_chunks, monkeypatch):
    world.import_(FILE)
    account = world.accounts["VK-0005"]
    item = OpenItem.objects.get(account=account)
    real_issue = closing.issue_chunk

    def pay_then_issue(billing_period_id, account_ids):
        if account.pk in account_ids:
            with transaction.atomic():
                open_items_clear(
                    account=account,
                    requests=[ClearingRequest(item.pk, 2_000)],
                    kind="payment",
                    source_id="payment:during-close",
                )
        return real_issue(billing_period_id, account_ids)

    monkeypatch.setattr(closing, "issue_chunk", pay_then_issue)
    from invoicing import tasks

    monkeypatch.setattr(tasks, "issue_chunk", pay_then_issue)
    month_end_close(tenant=world.tenant, period="2026-12", allow_missing=True)

    document = PaymentDocument.objects.get(account=account)
    assert (document.charges, document.payments, document.amount_due) == (5_000, 0, 5_000)
    assert sum(line.amount for line in document.lines.all()) == document.amount_due
