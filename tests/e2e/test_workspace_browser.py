"""The collection agent's workspace in a real browser: a collector signs in, works the queue,
opens a case, logs a call, records a promise, then creates a payment plan on another case.
Screenshots in var/screenshots/ (workspace-queue.png, workspace-case.png, workspace-plan.png,
and every step under var/screenshots/<test>/)."""

import shutil
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from debt_collection.models import CaseEventKind, CaseStage, DebtCase, PaymentPlan, PromiseToPay
from tests.debt_collection.workspace_helpers import open_case
from tests.e2e.conftest import screenshots_root
from tests.factories import PASSWORD

pytest_plugins = [
    "tests.warehouse.charges_fixtures",
    "tests.debt_collection.workspace_fixtures",
]


def keep(path, name: str) -> None:
    shutil.copyfile(path, screenshots_root() / name)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_collector_works_the_queue_logs_a_call_records_a_promise_and_makes_a_plan(
    postgres, indebted, collector, page, sign_in, screenshots
):
    first = open_case(indebted, "VK-0001")  # 300.00 overdue
    second = open_case(indebted, "VK-0003")  # 500.00 overdue
    open_case(indebted, "VK-0002")
    first.account.phone = "+79161234567"
    first.account.save()

    sign_in("kolya", PASSWORD, next_url="/staff/collections/")
    expect(page.get_by_role("heading", name="Debt cases")).to_be_visible()
    rows = page.locator("table.case-queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("00000003")  # the highest overdue first
    keep(screenshots.shot("queue"), "workspace-queue.png")

    page.get_by_role("link", name="00000001").click()
    expect(page.get_by_test_id("overdue")).to_contain_text("300,00")
    expect(page.locator("a[href='tel:+79161234567']")).to_be_visible()

    contact = page.locator("#contact")
    contact.get_by_label("Contact").select_option("call")
    contact.get_by_label("Outcome").select_option(label="Promised to pay")
    contact.get_by_label("Note").fill("Will pay after payday")
    contact.get_by_role("button", name="Log contact").click()
    expect(page.locator(".message-success")).to_contain_text("logged")
    expect(page.get_by_test_id("history")).to_contain_text("Call — Promised to pay")

    due = timezone.localdate() + timedelta(days=10)
    promise = page.locator("#promise")
    promise.get_by_label("Amount").fill("300.00")
    promise.get_by_label("Pays by").fill(f"{due:%Y-%m-%d}")
    promise.get_by_role("button", name="Record promise").click()
    expect(page.locator(".message-success")).to_contain_text("Promise of")
    expect(page.locator(".page-head")).to_contain_text("Promise to pay")
    keep(screenshots.shot("case-promised"), "workspace-case.png")

    first.refresh_from_db()
    assert first.stage == CaseStage.PROMISED
    assert PromiseToPay.objects.get(case=first).amount == 300_00
    assert first.events.filter(kind=CaseEventKind.CALL, actor=collector).exists()

    page.get_by_role("link", name="Debt cases").first.click()
    expect(page.locator("table.case-queue tbody tr")).to_have_count(2)  # the promised left
    page.get_by_role("link", name="00000003").click()
    plan = page.locator("#plan")
    plan.get_by_label("Months").fill("3")
    plan.get_by_label("First instalment due").fill(
        f"{timezone.localdate() + timedelta(days=5):%Y-%m-%d}"
    )
    plan.get_by_role("button", name="Create plan").click()
    expect(page.locator(".message-success")).to_contain_text("Payment plan of 3 instalments")
    expect(page.get_by_test_id("plan").locator("tbody tr")).to_have_count(3)
    keep(screenshots.shot("case-plan"), "workspace-plan.png")

    made = PaymentPlan.objects.get(case=second)
    assert sum(i.amount for i in made.instalments.all()) == made.total == 500_00
    assert DebtCase.objects.get(pk=second.pk).stage == CaseStage.PLAN

    pay_link = page.get_by_test_id("plan").get_by_role("link", name="open").first
    page.goto(pay_link.get_attribute("href"))
    expect(page.get_by_test_id("instalment-amount")).to_contain_text("166,67")
    screenshots.shot("instalment-pay-page")
