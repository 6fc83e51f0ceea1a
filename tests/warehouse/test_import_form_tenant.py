"""The upload form picks the tenant first: suppliers and profiles are that tenant's (and the
supplier's) only, a supplier or profile of another tenant is an error that says what to do,
and a chosen file survives the error."""

import pytest
from django.urls import reverse

from tests.factories import MappingProfileFactory, UserFactory
from tests.warehouse.import_helpers import GOOD, make_world, staff, upload
from warehouse.models import BatchStatus, ImportBatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def two():
    """An operator admin of two tenants, each with its water supplier."""
    north, south = make_world("north"), make_world("south")
    staff(south.tenant, user=north.operator)
    return north, south


def test_without_a_tenant_the_form_asks_for_it_first_and_offers_no_supplier(client, two):
    north, south = two
    client.force_login(north.operator)

    page = client.get(reverse("import-upload"))

    target = page.context["target"]
    assert set(target.fields["tenant"].queryset) == {north.tenant, south.tenant}
    assert list(target.fields["supplier"].queryset) == []
    assert page.context["form"] is None  # no file field before the supplier is chosen


def test_the_suppliers_and_profiles_offered_are_the_chosen_tenants_only(client, two):
    north, south = two
    MappingProfileFactory(supplier=north.water, name="north-csv")
    MappingProfileFactory(supplier=south.water, name="south-csv")
    client.force_login(north.operator)

    step1 = client.get(reverse("import-upload"), {"tenant": "south"})
    step2 = client.get(reverse("import-upload"), {"tenant": "south", "supplier": south.water.pk})

    assert list(step1.context["target"].fields["supplier"].queryset) == [south.water]
    profiles = [label for value, label in step2.context["form"].fields["profile"].choices if value]
    assert profiles == ["south-csv"]
    assert 'name="file"' in step2.content.decode()


def test_a_supplier_left_from_another_tenant_is_dropped_when_the_tenant_changes(client, two):
    north, south = two
    client.force_login(north.operator)

    page = client.get(reverse("import-upload"), {"tenant": "south", "supplier": north.water.pk})

    assert page.context["tenant"] == south.tenant
    assert page.context["supplier"] is None
    assert page.context["form"] is None


def test_a_supplier_of_another_tenant_is_refused_by_name_and_the_file_is_kept(client, two):
    north, south = two
    client.force_login(north.operator)

    response = upload(client, north, GOOD, supplier=south.water.pk)

    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
    errors = " ".join(response.context["form"].non_field_errors())
    assert "South Water is a supplier of South Housing, not of North Housing" in errors
    assert response.context["kept"].name == "water.csv"
    assert "The file water.csv is kept" in response.content.decode()

    # the user chooses the supplier again and sends the form without choosing the file again
    again = upload(client, north, None, kept=response.context["kept_token"])

    batch = ImportBatch.objects.get()
    assert again.status_code == 302 and batch.supplier == north.water
    assert batch.status == BatchStatus.POSTED and batch.filename == "water.csv"


def test_a_profile_of_another_supplier_is_a_form_error_that_names_both(client, two):
    north, south = two
    foreign = MappingProfileFactory(supplier=south.water, name="south-csv")
    client.force_login(north.operator)

    response = upload(client, north, GOOD, profile=foreign.pk)

    assert not ImportBatch.objects.exists()
    message = " ".join(response.context["form"].errors["profile"])
    assert "south-csv is for South Water, not for North Water" in message
    assert response.context["kept"].name == "water.csv"


def test_a_kept_file_is_only_its_users(client, two):
    north, _south = two
    client.force_login(north.operator)
    kept = upload(client, north, GOOD, period="2025-13").context["kept_token"]
    stranger = staff(north.tenant, user=UserFactory(is_staff=True))
    client.force_login(stranger)

    response = upload(client, north, None, kept=kept)

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_a_bad_period_keeps_the_file_and_the_next_try_posts_it(client, two):
    north, _south = two
    client.force_login(north.operator)

    first = upload(client, north, GOOD, period="2025-13")
    second = upload(client, north, None, kept=first.context["kept_token"])

    assert "period" in first.context["form"].errors
    assert "water.csv is kept from your last try" in first.content.decode()
    assert second.status_code == 302
    assert ImportBatch.objects.get().status == BatchStatus.POSTED
