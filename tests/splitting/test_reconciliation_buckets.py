"""Reconciliation counts honestly: a day where everything matches has no mismatch and "matched
N" is N; a line missing on either side and an amount that differs each land in their own
bucket with their sums; credits booked otherwise than as a payment (a wallet's funding) are
matched, not "missing"; the page speaks in words, in Russian too, and its date input is ISO."""

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from splitting.channels.statements import statement_import
from splitting.settlement.reconciliation import (
    AMOUNT_DIFFERS,
    IN_SUSPENSE,
    MATCHED,
    MISSING_OURS,
    MISSING_THEIRS,
    reconcile_bank,
    reconcile_settlement,
)
from tests.factories import MembershipFactory, UserFactory
from tests.month_end import month_end_close
from tests.splitting.helpers import charges, pay
from tests.splitting.test_statement_import import _document, _reference, one_c

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)  # the day of the statements `one_c` writes
CODES = ("missing_ours", "missing_theirs", "amount_differs", "in_suspense")


@pytest.fixture
def billed(world):
    charges(
        world,
        "2026-11",
        water={"VK-0001": "140.00", "VK-0002": "80.00", "VK-0003": "60.00"},
    )
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    return world


def _today(world) -> date:
    return timezone.now().astimezone(ZoneInfo(world.tenant.timezone)).date()


def _buckets(result):
    return {bucket.status: bucket for bucket in result.buckets}


def test_a_day_where_everything_matches_has_no_mismatch(billed):
    world = billed
    statement_import(
        tenant=world.tenant,
        data=one_c(
            _document(1, "140.00", f"ЖКУ {_reference(world, 'VK-0001')}"),
            _document(2, "80.00", f"ЖКУ {_reference(world, 'VK-0002')}"),
            _document(3, "60.00", f"ЖКУ {_reference(world, 'VK-0003')}"),
        ),
        filename="s.txt",
    )

    result = reconcile_bank(tenant=world.tenant, day=DAY)

    buckets = _buckets(result)
    assert buckets[MATCHED].count == len(result.lines) == 3
    assert buckets[MATCHED].amount == 28_000
    assert result.mismatches == 0
    assert [b.count for s, b in buckets.items() if s != MATCHED] == [0, 0, 0, 0]


def test_a_wallets_funding_on_the_statement_is_matched_not_missing(billed):
    from wallets.services.payers import payer_create

    world = billed
    staff = UserFactory()
    payer = payer_create(tenant=world.tenant, name="ООО Лизинг", tax_id="7701234567", actor=staff)
    wallet = payer.wallets.get()
    statement_import(
        tenant=world.tenant,
        data=one_c(
            _document(1, "140.00", f"ЖКУ {_reference(world, 'VK-0001')}"),
            _document(7, "5000.00", f"Пополнение {wallet.funding_reference}"),
        ),
        filename="s.txt",
    )
    wallet.refresh_from_db()
    assert wallet.funded == 500_000  # the wallet took the credit, no payment was booked

    result = reconcile_bank(tenant=world.tenant, day=DAY)

    assert [line.status for line in result.lines] == [MATCHED, MATCHED]
    assert result.mismatches == 0
    assert result.theirs_total == result.ours_total == 514_000


def test_suspense_a_stray_bank_payment_and_a_reversal_each_have_their_bucket(billed):
    from splitting.core.reversals import payment_reverse

    world = billed
    statement_import(
        tenant=world.tenant,
        data=one_c(
            _document(1, "140.00", f"ЖКУ {_reference(world, 'VK-0001')}"),
            _document(2, "80.00", f"ЖКУ {_reference(world, 'VK-0002')}"),
            _document(3, "33.00", "непонятно", payer="40817810000000000099"),
        ),
        filename="s.txt",
    )
    from splitting.models import Payment

    reversed_ = Payment.objects.get(account=world.accounts["VK-0002"], channel="bank")
    payment_reverse(payment=reversed_, reason="wrong account", actor=None)
    stray = pay(world, "VK-0003", 1_000, channel="bank", external_id="typed-by-hand")

    on_statement_day = _buckets(reconcile_bank(tenant=world.tenant, day=DAY))
    assert (on_statement_day[MATCHED].count, on_statement_day[MATCHED].amount) == (1, 14_000)
    assert (on_statement_day[MISSING_OURS].count, on_statement_day[MISSING_OURS].amount) == (
        1,
        8_000,
    )
    assert (on_statement_day[IN_SUSPENSE].count, on_statement_day[IN_SUSPENSE].amount) == (
        1,
        3_300,
    )
    booking_day = reconcile_bank(tenant=world.tenant, day=_today(world))
    assert [(line.key, line.status) for line in booking_day.lines] == [
        (stray.external_id, MISSING_THEIRS)
    ]
    assert _buckets(booking_day)[MISSING_THEIRS].amount == 1_000


def test_one_missing_on_each_side_and_one_difference_are_each_in_their_bucket(billed):
    world = billed
    pay(world, "VK-0001", 5_000, channel="terminal", external_id="qiwi:1")
    pay(world, "VK-0002", 2_000, channel="terminal", external_id="qiwi:2")
    pay(world, "VK-0003", 1_000, channel="terminal", external_id="qiwi:3")

    result = reconcile_settlement(
        tenant=world.tenant,
        channel="terminal",
        day=_today(world),
        reported={"1": 5_000, "2": 2_500, "9": 700},
        prefix="qiwi:",
    )

    buckets = _buckets(result)
    assert {s: (b.count, b.amount) for s, b in buckets.items()} == {
        MATCHED: (1, 5_000),
        MISSING_OURS: (1, 700),  # only in their report
        MISSING_THEIRS: (1, 1_000),  # only booked by us
        AMOUNT_DIFFERS: (1, 500),  # theirs 25.00 − ours 20.00
        IN_SUSPENSE: (0, 0),
    }
    assert result.mismatches == 3


def test_a_settlement_with_a_fee_column_is_compared_net(billed):
    from splitting.settlement.reconciliation import settlement_read

    reported = settlement_read(b"external_id,amount,fee\nA,101.50,1.50\nB,20.00,\n")

    assert reported == {"A": 10_000, "B": 2_000}


@pytest.fixture
def staff_client(billed):
    user = UserFactory(username="acc-recon")
    MembershipFactory(user=user, tenant=billed.tenant, role="accountant")
    client = Client()
    client.force_login(user)
    return client


def _visible(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def test_the_russian_page_shows_words_not_codes_and_takes_a_russian_date(billed, staff_client):
    world = billed
    pay(world, "VK-0001", 5_000, channel="provider", external_id="cs_1")
    day = _today(world)
    settlement = SimpleUploadedFile("s.csv", b"external_id,amount\ncs_1,50.00\ncs_2,10.00\n")

    page = staff_client.post(
        "/staff/reconciliation/",
        {
            "tenant": world.tenant.pk,
            "channel": "provider",
            "day": day.strftime("%d.%m.%Y"),  # as a Russian user types it
            "settlement": settlement,
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert f'type="date" name="day" value="{day.isoformat()}"' in html
    text = _visible(html)
    assert "cs_2" in text
    for code in CODES:
        assert code not in text
    assert not re.search(r"\bmatched\b", text)
    assert 'data-testid="count-matched">1<' in html
    assert 'data-testid="count-missing_ours">1<' in html


def test_the_empty_form_shows_an_iso_day_in_russian(billed, staff_client):
    page = staff_client.get("/staff/reconciliation/", HTTP_ACCEPT_LANGUAGE="ru")

    html = page.content.decode()
    assert re.search(r'type="date" name="day" value="\d{4}-\d{2}-\d{2}"', html)
