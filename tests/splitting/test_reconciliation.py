"""Reconciliation per channel and day: the bank's statement and a partner's settlement file
against what we booked — matched, missing on either side, amounts that differ."""

from datetime import date
from zoneinfo import ZoneInfo

import openpyxl
import pytest
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

DAY = date(2026, 11, 20)


def _today(world) -> date:
    return timezone.now().astimezone(ZoneInfo(world.tenant.timezone)).date()


@pytest.fixture
def billed(world):

    charges(world, "2026-11", water={"VK-0001": "140.00", "VK-0002": "80.00"})
    month_end_close(tenant=world.tenant, period="2026-11", allow_missing=True)
    return world


def test_the_bank_side_compares_statement_credits_with_the_payments_booked_from_them(billed):
    world = billed
    statement_import(
        tenant=world.tenant,
        data=one_c(
            _document(1, "140.00", f"ЖКУ {_reference(world, 'VK-0001')}"),
            _document(2, "33.00", "непонятно", payer="40817810000000000099"),
        ),
        filename="s.txt",
    )
    stray = pay(world, "VK-0002", 1_000, channel="bank", external_id="typed-by-hand")

    result = reconcile_bank(tenant=world.tenant, day=DAY)

    statuses = {line.key.split("/")[0]: line.status for line in result.lines}
    assert statuses["1"] == MATCHED
    assert statuses["2"] == IN_SUSPENSE  # unmatched: parked, waits for staff
    today = reconcile_bank(tenant=world.tenant, day=_today(world))
    assert [(line.key, line.status) for line in today.lines] == [
        (stray.external_id, MISSING_THEIRS)
    ]


def test_a_partner_settlement_is_matched_by_external_id(billed):
    world = billed
    pay(world, "VK-0001", 5_000, channel="terminal", external_id="qiwi:1")
    pay(world, "VK-0001", 2_000, channel="terminal", external_id="qiwi:2")
    pay(world, "VK-0002", 1_000, channel="terminal", external_id="qiwi:3")

    result = reconcile_settlement(
        tenant=world.tenant,
        channel="terminal",
        day=_today(world),
        reported={"1": 5_000, "2": 2_500, "9": 700},
        prefix="qiwi:",
    )

    assert {line.key: line.status for line in result.lines} == {
        "1": MATCHED,
        "2": AMOUNT_DIFFERS,
        "3": MISSING_THEIRS,
        "9": MISSING_OURS,
    }
    assert (result.theirs_total, result.ours_total) == (8_200, 8_000)


def test_the_page_shows_the_result_and_exports_xlsx(billed):
    world = billed
    pay(world, "VK-0001", 5_000, channel="provider", external_id="cs_1")
    user = UserFactory(username="acc")
    MembershipFactory(user=user, tenant=world.tenant, role="accountant")
    client = Client()
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(**extra):
        settlement = SimpleUploadedFile("s.csv", b"external_id,amount\ncs_1,50.00\ncs_2,10.00\n")
        return client.post(
            "/staff/reconciliation/",
            {
                "tenant": world.tenant.pk,
                "channel": "provider",
                "day": _today(world).isoformat(),
                "settlement": settlement,
                **extra,
            },
        )

    page = post()
    exported = post(format="xlsx")

    assert page.status_code == 200
    assert "Only theirs: not booked by us" in page.content.decode()
    assert "cs_2" in page.content.decode()
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, max_row=5, values_only=True)] == [
        "cs_1",
        "cs_2",
        "Total",
    ]
