"""Letters are printed, not sent: the tenant's queued letters make one DOCX with a page per
letter in delivery-route order, and printing marks them sent (never printed twice); any letter
downloads again on its own; collectors and operator admins print, accountants look."""

import io

import pytest
from docx import Document

from messaging.models import Message, MessageStatus
from messaging.services.messages import message_queue
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from warehouse.models import AuditEvent, Role

pytestmark = pytest.mark.django_db
pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]


def letter(world, number: str, route: str, text: str) -> Message:
    account = world.accounts[number]
    account.delivery_route = route
    account.save(update_fields=["delivery_route"])
    return message_queue(
        account=account, channel="letter", subject="Задолженность", body=text, source="dunning"
    )


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def test_printing_makes_one_docx_in_route_order_and_marks_the_letters_sent(
    world, client, collector
):
    later = letter(world, "VK-0001", "R2", "Оплатите 300,00 ₽.\nЛичный кабинет: /pay/x")
    first = letter(world, "VK-0002", "R1", "Оплатите 80,00 ₽.")
    message_queue(account=world.accounts["VK-0003"], channel="sms", body="not a letter")
    client.force_login(collector)

    page = client.get("/staff/collections/letters/").content.decode()
    printed = client.post("/staff/collections/letters/print/", {"tenant": world.tenant.code})
    again = client.post(
        "/staff/collections/letters/print/", {"tenant": world.tenant.code}, follow=True
    )

    assert "Print 2 letters (DOCX)" in page
    assert printed["Content-Type"].startswith("application/vnd.openxmlformats")
    text = paragraphs(printed.content)
    payers = [t for t in text if t in ("Плательщик 1", "Плательщик 2")]
    assert payers == ["Плательщик 2", "Плательщик 1"]  # route R1 before R2
    assert "Оплатите 300,00 ₽." in text and "Личный кабинет: /pay/x" in text
    assert world.tenant.name in text and "Лицевой счёт 00000001" in text
    document = Document(io.BytesIO(printed.content))
    breaks = document.element.body.xml.count('w:type="page"')
    assert breaks == 1  # two letters, two pages
    for message in (first, later):
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT and message.sent_at is not None
    event = AuditEvent.objects.get(action="letters.printed")
    assert sorted(event.detail["messages"]) == sorted([first.pk, later.pk])
    assert "No letter is waiting to be printed." in again.content.decode()


def test_a_letter_downloads_again_and_only_for_its_tenants_staff(world, client, collector):
    sent = letter(world, "VK-0001", "R1", "Оплатите долг.")
    other = TenantFactory(code="elsewhere")
    stranger = UserFactory()
    MembershipFactory(user=stranger, tenant=other, role=Role.COLLECTOR)

    client.force_login(collector)
    mine = client.get(f"/staff/collections/letters/{sent.pk}.docx")
    client.force_login(stranger)
    theirs = client.get(f"/staff/collections/letters/{sent.pk}.docx")
    refused = client.post("/staff/collections/letters/print/", {"tenant": world.tenant.code})

    assert mine.status_code == 200 and "Оплатите долг." in paragraphs(mine.content)
    assert theirs.status_code == 404 and refused.status_code == 404
    sent.refresh_from_db()
    assert sent.status == MessageStatus.QUEUED


def test_an_accountant_sees_the_letters_but_may_not_print(world, client):
    letter(world, "VK-0001", "R1", "Оплатите долг.")
    accountant = UserFactory()
    MembershipFactory(user=accountant, tenant=world.tenant, role=Role.ACCOUNTANT)
    client.force_login(accountant)

    page = client.get("/staff/collections/letters/").content.decode()
    refused = client.post("/staff/collections/letters/print/", {"tenant": world.tenant.code})

    assert "00000001" in page and "Print 1 letter" not in page
    assert refused.status_code == 403
    assert Message.objects.get().status == MessageStatus.QUEUED
