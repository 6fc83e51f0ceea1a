"""The batch page's counters: lines read, posted, without problems but not posted, with errors
and in the mapping queue — each line counted once, so they add up and agree with the report.
A file rejected for any other problem leaves the mapping queue as it was."""

import pytest
from django.urls import reverse

from tests.warehouse.import_helpers import GOOD, make_world, upload
from warehouse.models import BatchStatus, ImportBatch, UnmatchedLine
from warehouse.selectors_imports import batch_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    return make_world()


def imported(client, world, content: bytes) -> tuple[ImportBatch, str]:
    client.force_login(world.operator)
    response = upload(client, world, content)
    batch = ImportBatch.objects.get(pk=response.url.split("/")[-2])
    return batch, client.get(response.url).content.decode()


def shown(page: str, name: str) -> int:
    marker = f'data-count="{name}">'
    if marker not in page:
        return 0
    return int(page.split(marker, 1)[1].split("<", 1)[0])


def test_a_posted_file_counts_every_line_read_as_posted(client, world):
    batch, page = imported(client, world, GOOD)

    counts = batch_counts(batch)
    assert (counts.read, counts.posted, counts.rejected, counts.unmatched) == (2, 2, 0, 0)
    assert (shown(page, "read"), shown(page, "posted")) == (2, 2)


def test_a_rejected_file_counts_each_line_once_and_agrees_with_the_report(client, world):
    content = (
        b"supplier_account,service_code,amount\n"
        b"W-1,101,1.00\n"  # fine
        b"W-2,999,x\n"  # two problems on one line
        b"W-9,101,2.00\n"  # unknown account (and the file has other problems)
        b"W-2,101,3.00\n"  # fine
    )

    batch, page = imported(client, world, content)

    counts = batch_counts(batch)
    report_lines = {row["line"] for row in batch.report}
    assert batch.status == BatchStatus.REJECTED
    assert counts.adds_up
    assert (counts.read, counts.posted, counts.waiting) == (4, 0, 2)
    assert counts.rejected + counts.unmatched == len(report_lines) == 2
    assert counts.unmatched == 0  # not queued: the file has other problems
    for name in ("read", "posted", "waiting", "rejected", "unmatched"):
        assert shown(page, name) == getattr(counts, name), name


def test_a_rejected_file_leaves_the_mapping_queue_unchanged(client, world):
    content = GOOD + b"W-9,101,7.50\nW-1,999,1.00\n"  # an unknown account and a bad service

    batch, _page = imported(client, world, content)

    assert batch.status == BatchStatus.REJECTED
    assert not UnmatchedLine.objects.exists()
    assert batch.rows_unmatched == 0
    assert not client.get(reverse("mapping-queue")).context["entries"]


def test_a_file_whose_only_problem_is_unknown_accounts_queues_them(client, world):
    content = GOOD + b"W-9,101,7.50\nW-8,101,1.00\nW-7,101,2.00\n"

    batch, page = imported(client, world, content)

    counts = batch_counts(batch)
    assert (counts.read, counts.waiting, counts.rejected, counts.unmatched) == (5, 2, 0, 3)
    assert counts.adds_up
    assert sorted(UnmatchedLine.objects.values_list("supplier_account", flat=True)) == [
        "W-7",
        "W-8",
        "W-9",
    ]
    assert "in the mapping queue" in page


def test_lines_the_reader_skips_are_counted_as_read_and_rejected(client, world):
    content = b"supplier_account,service_code,amount\nW-1,101,1.00\nW-2,101\n"

    batch, _page = imported(client, world, content)

    counts = batch_counts(batch)
    assert (counts.read, counts.rejected, counts.waiting) == (2, 1, 1)
    assert counts.adds_up


def test_a_file_that_cannot_be_read_counts_no_line(client, world):
    batch, _page = imported(client, world, b"account,amount\nW-1,1.00\n")

    counts = batch_counts(batch)
    assert (counts.read, counts.posted, counts.rejected, counts.unmatched) == (0, 0, 0, 0)
    assert batch.report  # the missing columns are reported
