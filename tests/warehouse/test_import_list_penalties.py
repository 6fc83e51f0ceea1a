"""Penalty batches (debt collection's charges at a period's close) are not suppliers' files:
the import list leaves them out, links to the penalty runs, and shows them when asked."""

import pytest
from django.urls import reverse

from tests.factories import ImportBatchFactory
from tests.warehouse.import_helpers import make_world
from warehouse.models import BatchStatus, SourceFormat

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches():
    world = make_world()
    own = ImportBatchFactory(supplier=world.water, status=BatchStatus.POSTED, version=1)
    penalty = ImportBatchFactory(
        supplier=world.water, source_format=SourceFormat.PENALTY, status=BatchStatus.POSTED
    )
    return world, own, penalty


def listed(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].rows}


def test_the_import_list_leaves_penalty_batches_out_and_links_the_penalty_runs(client, batches):
    world, own, _penalty = batches
    client.force_login(world.operator)

    response = client.get(reverse("import-list"))

    assert listed(response) == {own.pk}
    assert reverse("penalty-runs") in response.content.decode()


def test_the_filter_shows_penalty_batches_when_asked(client, batches):
    world, own, penalty = batches
    client.force_login(world.operator)

    response = client.get(reverse("import-list"), {"penalties": "on"})
    filtered = client.get(reverse("import-list"), {"tenant": world.tenant.code})

    assert listed(response) == {own.pk, penalty.pk}
    assert listed(filtered) == {own.pk}
