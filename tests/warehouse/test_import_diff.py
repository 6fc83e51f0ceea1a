"""The difference between two versions of a supplier's file for a period: lines added, removed
and changed by (account, service, kind, corrected period), and the money difference per account
and in total — a pure function, and a page linked from the batch page."""

import pytest
from django.urls import reverse

from tests.factories import AccountFactory, AccountLinkFactory
from tests.warehouse.import_helpers import GOOD, make_world, upload
from warehouse.models import BatchStatus, ImportBatch
from warehouse.selectors_imports import FileLine, version_diff

# --- the pure function ------------------------------------------------------------------------


def line(account, service, amount, kind="regular", corrects="", quantity=""):
    return FileLine(account, service, kind, corrects, amount, quantity)


def test_an_unchanged_file_has_no_difference():
    lines = [line("A", "01", 100), line("B", "01", 200)]

    diff = version_diff(lines, list(reversed(lines)))

    assert diff.empty and diff.unchanged == 2
    assert diff.accounts == [] and diff.difference == 0


def test_added_removed_and_changed_lines_with_the_money_per_account_and_in_total():
    old = [line("A", "01", 100), line("A", "02", 50), line("B", "01", 200, quantity="2")]
    new = [line("A", "01", 130), line("B", "01", 200, quantity="2.000"), line("C", "01", 70)]

    diff = version_diff(old, new)

    assert [(c.supplier_account, c.service_code) for c in diff.added] == [("C", "01")]
    assert [(c.supplier_account, c.service_code) for c in diff.removed] == [("A", "02")]
    assert [(c.supplier_account, c.old_amount, c.new_amount) for c in diff.changed] == [
        ("A", 100, 130)
    ]
    assert diff.unchanged == 1  # B: the same quantity written another way
    assert [
        (a.supplier_account, a.old_total, a.new_total, a.difference) for a in diff.accounts
    ] == [
        ("A", 150, 130, -20),
        ("C", 0, 70, 70),
    ]
    assert (diff.old_total, diff.new_total, diff.difference) == (350, 400, 50)


def test_a_changed_quantity_alone_is_a_changed_line():
    diff = version_diff([line("A", "01", 100, quantity="1")], [line("A", "01", 100, quantity="2")])

    assert len(diff.changed) == 1 and diff.accounts == []


def test_kind_and_corrected_period_are_part_of_the_key():
    old = [line("A", "01", 100)]
    new = [line("A", "01", 100), line("A", "01", -30, "recalculation", "2025-01")]

    diff = version_diff(old, new)

    assert [(c.kind, c.corrects_period, c.new_amount) for c in diff.added] == [
        ("recalculation", "2025-01", -30)
    ]
    assert diff.difference == -30


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def versions(client, settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    client.force_login(world.operator)
    upload(client, world, GOOD)
    v2 = b"supplier_account,service_code,amount\nW-1,101,150.00\nW-3,101,5.00\n"
    AccountLinkFactory(
        account=AccountFactory(tenant=world.tenant, account_number="1003"),
        supplier=world.water,
        external_number="W-3",
    )
    upload(client, world, v2, name="water-v2.csv")
    first, second = ImportBatch.objects.order_by("pk")
    assert (first.status, second.status) == (BatchStatus.SUPERSEDED, BatchStatus.POSTED)
    return world, first, second


def test_the_batch_page_links_to_the_comparison_with_the_previous_version(client, versions):
    _world, first, second = versions

    page = client.get(reverse("import-batch", args=[second.pk])).content.decode()
    first_page = client.get(reverse("import-batch", args=[first.pk])).content.decode()

    assert reverse("import-diff", args=[second.pk]) in page
    assert "Compare with the previous version" in page
    assert reverse("import-diff", args=[first.pk]) not in first_page  # version 1: nothing before


def test_the_comparison_page_shows_lines_and_money_per_account(client, versions):
    _world, first, second = versions

    response = client.get(reverse("import-diff", args=[second.pk]))

    diff = response.context["diff"]
    assert response.context["other"] == first
    assert [(c.supplier_account, c.new_amount) for c in diff.added] == [("W-3", 500)]
    assert [(c.supplier_account, c.old_amount) for c in diff.removed] == [("W-2", 1000)]
    assert [(c.supplier_account, c.old_amount, c.new_amount) for c in diff.changed] == [
        ("W-1", 12345, 15000)
    ]
    assert [(a.supplier_account, a.account_number, a.difference) for a in diff.accounts] == [
        ("W-1", "1001", 2655),
        ("W-2", "1002", -1000),
        ("W-3", "1003", 500),
    ]
    assert diff.difference == 2155
    content = response.content.decode()
    assert 'data-diff="added">1<' in content and 'data-diff="total">+21,55<' in content


def test_a_comparison_with_a_file_of_another_supplier_or_period_is_not_found(client, versions):
    world, first, second = versions
    upload(client, world, GOOD, period="2025-04")
    other_period = ImportBatch.objects.get(period="2025-04")

    response = client.get(reverse("import-diff", args=[second.pk]), {"against": other_period.pk})

    assert response.status_code == 404
