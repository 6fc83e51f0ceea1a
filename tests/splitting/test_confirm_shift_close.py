"""Closing a shift whose drawer does not agree: the close page first shows the difference and
asks why; without a reason (or without the confirmation) the shift stays open; with one it
closes once, and the reason is kept on the shift, in its audit event and on the report. A drawer
that agrees closes at once, as before."""

import pytest
from django.contrib.messages import get_messages

from splitting.channels.cashdesk import CashDeskError, shift_close, shift_open
from splitting.models import CashShift, ShiftStatus
from tests.factories import MembershipFactory, UserFactory
from warehouse.models import AuditEvent, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

CLOSE = "/staff/cashdesk/shift/close/"
REASON = "Сдача выдана дважды покупателю"


@pytest.fixture
def cashier(client, world):
    user = UserFactory(first_name="Анна", last_name="Кассирова")
    MembershipFactory(user=user, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(user)
    return user


@pytest.fixture
def shift(client, cashier):
    response = client.post("/staff/cashdesk/shift/open/", {"opening_cash": "1000.00"})
    assert response.status_code == 302
    return CashShift.objects.get(status=ShiftStatus.OPEN)


def _closes(shift) -> int:
    return AuditEvent.objects.filter(action="cashdesk.shift_closed", detail__shift=shift.pk).count()


def test_a_short_drawer_shows_the_difference_and_asks_why_and_stays_open(client, shift):
    page = client.post(CLOSE, {"counted_cash": "947.26"})
    html = page.content.decode()

    shift.refresh_from_db()
    assert page.status_code == 200
    assert "The drawer is short by 52,74\u00a0₽." in html
    assert "Counted 947,26\u00a0₽, the drawer should hold 1\u00a0000,00\u00a0₽." in html
    assert 'name="reason"' in html and 'name="confirm" value="yes"' in html
    assert 'name="seen_difference" value="-5274"' in html
    assert shift.status == ShiftStatus.OPEN and _closes(shift) == 0


def test_a_confirmed_short_close_without_a_reason_is_refused_and_stays_open(client, shift):
    form = {"counted_cash": "947.26", "seen_difference": "-5274", "confirm": "yes"}

    empty = client.post(CLOSE, {**form, "reason": ""})
    too_short = client.post(CLOSE, {**form, "reason": "   short  "})

    shift.refresh_from_db()
    for page in (empty, too_short):
        assert page.status_code == 200
        assert "say why (at least 10 characters)" in page.content.decode()
    assert shift.status == ShiftStatus.OPEN and shift.close_reason == ""
    assert _closes(shift) == 0


def test_a_short_close_with_a_reason_closes_once_and_keeps_the_reason(client, shift):
    form = {
        "counted_cash": "947.26",
        "reason": REASON,
        "seen_difference": "-5274",
        "confirm": "yes",
    }

    response = client.post(CLOSE, form, follow=True)
    replay = client.post(CLOSE, form, follow=True)

    shift.refresh_from_db()
    assert (shift.status, shift.closing_cash_counted) == (ShiftStatus.CLOSED, 947_26)
    assert shift.close_reason == REASON
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        f"Shift #{shift.pk} is closed. The drawer is short by 52,74\u00a0₽."
    )
    report = client.get(f"/staff/cashdesk/shifts/{shift.pk}/").content.decode()
    assert REASON in report and 'data-testid="report-reason"' in report
    assert "This shift is closed already." in replay.content.decode()
    assert _closes(shift) == 1
    event = AuditEvent.objects.get(action="cashdesk.shift_closed")
    assert (event.detail["difference"], event.detail["reason"]) == (-52_74, REASON)


def test_a_confirmation_given_for_another_difference_is_asked_again(client, shift):
    """The cashier recounted and typed another figure on the confirmation page."""
    form = {"counted_cash": "990.00", "reason": REASON, "seen_difference": "-5274"}

    page = client.post(CLOSE, {**form, "confirm": "yes"})

    shift.refresh_from_db()
    assert "The drawer is short by 10,00\u00a0₽." in page.content.decode()
    assert shift.status == ShiftStatus.OPEN


def test_a_post_without_the_confirmation_changes_nothing(client, shift):
    page = client.post(
        CLOSE, {"counted_cash": "947.26", "reason": REASON, "seen_difference": "-5274"}
    )

    shift.refresh_from_db()
    assert page.status_code == 200 and 'data-testid="close-difference"' in page.content.decode()
    assert shift.status == ShiftStatus.OPEN


def test_an_over_drawer_also_needs_a_reason(client, shift):
    page = client.post(CLOSE, {"counted_cash": "1000.50"})

    assert "The drawer is over by 0,50\u00a0₽." in page.content.decode()
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.OPEN


def test_a_drawer_that_agrees_closes_at_once_without_a_reason(client, shift):
    response = client.post(CLOSE, {"counted_cash": "1000.00"})

    shift.refresh_from_db()
    assert response.status_code == 302
    assert shift.status == ShiftStatus.CLOSED and shift.close_reason == ""


def test_the_service_refuses_a_difference_without_a_reason(world, cashier):
    shift = shift_open(tenant=world.tenant, cashier=cashier, opening_cash=100_00)

    with pytest.raises(CashDeskError) as refused:
        shift_close(shift=shift, counted_cash=90_00, reason="short")
    totals = shift_close(shift=shift, counted_cash=90_00, reason="  counted  twice, a note  ")

    assert refused.value.code == "reason_required"
    assert refused.value.extra == {"difference": -10_00}
    assert totals.difference == -10_00
    assert CashShift.objects.get(pk=shift.pk).close_reason == "counted twice, a note"
