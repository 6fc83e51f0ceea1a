"""The supplier's mapping profile is preselected (the one its last posted file came through,
else its only one), and a file whose columns do not fit the chosen profile is rejected with a
message naming the profile, the columns it expects and the ones the file has."""

import pytest
from django.urls import reverse

from tests.factories import ImportBatchFactory, MappingProfileFactory
from tests.warehouse.import_helpers import make_world, upload
from warehouse.models import BatchStatus, ImportBatch, UnmatchedLine

pytestmark = pytest.mark.django_db

CP1251 = "ЛС;Услуга;Сумма\nW-1;101;123,45\nW-2;101;10,00\n".encode("cp1251")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    world = make_world()
    world.cp1251 = MappingProfileFactory(
        supplier=world.water,
        name="water-1c",
        encoding="cp1251",
        separator=";",
        decimal_mark=",",
        columns={"supplier_account": "ЛС", "service_code": "Услуга", "amount": "Сумма"},
    )
    return world


def step_two(client, world):
    return client.get(
        reverse("import-upload"), {"tenant": world.tenant.code, "supplier": world.water.pk}
    )


def test_the_only_profile_of_a_supplier_is_preselected_and_the_cp1251_file_posts(client, world):
    client.force_login(world.operator)

    page = step_two(client, world)
    profile = page.context["form"].fields["profile"].initial
    response = upload(client, world, CP1251, name="water.csv", profile=profile)

    assert profile == world.cp1251.pk
    assert "data-preselected" in page.content.decode()
    assert ImportBatch.objects.get(pk=response.url.split("/")[-2]).status == BatchStatus.POSTED


def test_the_profile_of_the_last_posted_file_is_preselected(client, world):
    other = MappingProfileFactory(supplier=world.water, name="water-xlsx")
    ImportBatchFactory(
        supplier=world.water, profile=world.cp1251, status=BatchStatus.SUPERSEDED, version=1
    )
    ImportBatchFactory(supplier=world.water, profile=other, status=BatchStatus.POSTED, version=2)
    ImportBatchFactory(supplier=world.water, profile=world.cp1251)  # rejected: not "used"
    client.force_login(world.operator)

    assert step_two(client, world).context["form"].fields["profile"].initial == other.pk


def test_a_supplier_with_several_profiles_and_no_file_yet_gets_no_preselection(client, world):
    MappingProfileFactory(supplier=world.water, name="water-xlsx")
    client.force_login(world.operator)

    assert step_two(client, world).context["form"].fields["profile"].initial is None


def test_a_file_that_does_not_fit_the_profile_names_profile_and_columns(client, world):
    client.force_login(world.operator)
    canonical = b"supplier_account,service_code,amount\nW-1,101,1.00\n"

    response = upload(client, world, canonical, profile=world.cp1251.pk)

    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    page = client.get(response.url).content.decode()
    assert "water-1c" in page
    assert "it expects ЛС, Услуга, Сумма" in page
    # read with the profile's ";" the canonical header is one column: the message shows it
    assert "the file has supplier_account,service_code,amount" in page
    assert not UnmatchedLine.objects.exists()


def test_a_cp1251_file_without_a_profile_says_what_the_canonical_format_expects(client, world):
    client.force_login(world.operator)

    response = upload(client, world, CP1251)

    page = client.get(response.url).content.decode()
    assert "do not fit the canonical format" in page
    assert "it expects supplier_account, service_code, amount" in page
    assert "the file has лс, услуга, сумма" in page  # headers are read case-insensitively
