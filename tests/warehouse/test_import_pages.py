"""The staff pages of charge imports: upload, the batch list, a batch with its report and its
XLSX download, re-running a batch, and the mapping queue — and who may do what there."""

import io
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    AccountFactory,
    AccountLinkFactory,
    ImportBatchFactory,
    MembershipFactory,
    ServiceFactory,
    SupplierFactory,
    SupplierServiceCodeFactory,
    TenantFactory,
    UnmatchedLineFactory,
    UserFactory,
)
from warehouse.models import (
    Account,
    AccountLink,
    AuditEvent,
    BatchStatus,
    Charge,
    ImportBatch,
    OpenItem,
    Role,
    UnmatchedLine,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = b"supplier_account,service_code,amount\nW-1,101,123.45\nW-2,101,10.00\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def staff(tenant, role=Role.OPERATOR_ADMIN):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def world():
    """A tenant whose supplier sends service 101 for two linked accounts."""
    tenant = TenantFactory(code="north", name="North Housing")
    water = SupplierFactory(tenant=tenant, code="vodokanal", name="Vodokanal")
    service = ServiceFactory(tenant=tenant, code="cold-water", name="Cold water")
    SupplierServiceCodeFactory(tenant=tenant, supplier=water, service=service, external_code="101")
    first = AccountFactory(tenant=tenant, account_number="1001")
    second = AccountFactory(tenant=tenant, account_number="1002")
    AccountLinkFactory(account=first, supplier=water, external_number="W-1")
    AccountLinkFactory(account=second, supplier=water, external_number="W-2")
    return SimpleNamespace(
        tenant=tenant, water=water, first=first, second=second, operator=staff(tenant)
    )


def upload(client, world, content: bytes, *, period="2025-03", name="water.csv", **extra):
    data = {
        "tenant": world.tenant.code,
        "supplier": world.water.pk,
        "period": period,
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        **extra,
    }
    return client.post(reverse("import-upload"), data)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- upload -----------------------------------------------------------------------------------


def test_upload_posts_the_file_and_shows_the_batch(client, world):
    client.force_login(world.operator)

    response = upload(client, world, GOOD)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import-batch", args=[batch.pk])
    assert batch.status == BatchStatus.POSTED and batch.version == 1
    assert batch.created_by == world.operator
    assert Charge.objects.filter(batch=batch).count() == 2
    assert OpenItem.objects.filter(batch=batch).count() == 2

    page = client.get(response.url)
    content = page.content.decode()
    assert any(m.startswith("Posted:") for m in texts(page))
    assert "badge-posted" in content
    assert "133,45" in content  # the amount posted, in the tenant's notation (ru)
    assert "water.csv" in content
    assert "Run again" not in content


def test_the_batch_page_names_the_encoding_and_says_when_it_was_guessed(client, world):
    client.force_login(world.operator)
    AccountLinkFactory(account=world.first, supplier=world.water, external_number="MÜ-1")

    response = upload(
        client, world, "supplier_account;service_code;amount\nMÜ-1;101;1,00\n".encode("cp1252")
    )
    utf8 = upload(client, world, GOOD, period="2025-04")

    page = client.get(response.url).content.decode()
    assert "Windows-1252" in page
    assert "guessed from its letters" in page
    assert "read as Windows-1252 (detected)" in page  # in the batch's message
    page = client.get(utf8.url).content.decode()
    assert "UTF-8" in page and "guessed from its letters" not in page


def test_the_same_file_again_says_already_posted(client, world):
    client.force_login(world.operator)
    first = upload(client, world, GOOD)

    again = upload(client, world, GOOD)

    assert again.url == first.url  # the posted batch
    assert ImportBatch.objects.filter(status=BatchStatus.POSTED).count() == 1
    assert any(m.startswith("Already posted:") for m in texts(client.get(again.url)))


def test_upload_form_offers_only_the_users_tenants_and_refuses_a_foreign_supplier(client, world):
    other = SupplierFactory(tenant=TenantFactory(code="south"), code="south-heat")
    client.force_login(world.operator)

    target = client.get(reverse("import-upload"), {"tenant": "north"}).context["target"]
    response = upload(client, world, GOOD, supplier=other.pk)

    assert list(target.fields["tenant"].queryset) == [world.tenant]
    assert list(target.fields["supplier"].queryset) == [world.water]
    assert response.status_code == 200
    assert response.context["form"].errors  # the foreign supplier is not a valid choice
    assert not ImportBatch.objects.exists()


def test_upload_with_a_bad_period_shows_the_form_again(client, world):
    client.force_login(world.operator)

    response = upload(client, world, GOOD, period="2025-13")

    assert response.status_code == 200
    assert "period" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


# --- a rejected file: report and XLSX ---------------------------------------------------------


def test_rejected_upload_shows_the_report_and_the_xlsx_has_every_line(client, world):
    client.force_login(world.operator)
    bad = b"supplier_account,service_code,amount\nW-1,101,=1+1\nW-2,999,5.00\nW-2,101,1.001\n"

    response = upload(client, world, bad)

    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    assert not Charge.objects.exists()
    page = client.get(response.url)
    content = page.content.decode()
    assert any(m.startswith("Rejected:") for m in texts(page))
    assert "badge-rejected" in content
    assert "unknown service code" in content
    assert "=1+1" in content
    assert reverse("import-report", args=[batch.pk]) in content

    download = client.get(reverse("import-report", args=[batch.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert "attachment" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("line", "column", "value", "reason")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert len(rows) - 1 == len(batch.report) == 3
    assert {(r[0], r[1], r[2]) for r in rows[1:]} == {
        (2, "amount", "=1+1"),
        (3, "service_code", "999"),
        (4, "amount", "1.001"),
    }
    assert sheet["C2"].data_type == "s"  # a value from the file never becomes a formula


def test_a_batch_page_shows_the_first_500_report_lines(client, world):
    report = [
        {"line": n, "column": "amount", "value": "x", "reason": f"bad {n}"} for n in range(2, 702)
    ]
    batch = ImportBatchFactory(supplier=world.water, report=report, rows_rejected=700)
    client.force_login(world.operator)

    page = client.get(reverse("import-batch", args=[batch.pk]))
    download = client.get(reverse("import-report", args=[batch.pk]))

    assert len(page.context["report"]) == 500
    assert "The first 500 of 700 problems" in page.content.decode()
    assert load_workbook(io.BytesIO(download.content)).active.max_row == 701


# --- the mapping queue ------------------------------------------------------------------------


def test_unknown_account_is_queued_then_linked_and_the_batch_posts_on_a_second_run(client, world):
    client.force_login(world.operator)
    content = GOOD + b"W-9,101,7.50\n"
    rejected = ImportBatch.objects.get(pk=upload(client, world, content).url.split("/")[-2])
    assert rejected.status == BatchStatus.REJECTED and rejected.rows_unmatched == 1

    queue = client.get(reverse("mapping-queue")).content.decode()
    entry = UnmatchedLine.objects.get()
    assert entry.supplier_account == "W-9" and entry.lines == [4]
    assert "W-9" in queue and reverse("mapping-link", args=[entry.pk]) in queue

    linked = client.post(reverse("mapping-link", args=[entry.pk]), {"account_number": "1002"})

    entry.refresh_from_db()
    assert linked.url == reverse("mapping-queue")
    assert entry.resolved_account == world.second and entry.resolved_at is not None
    assert AccountLink.objects.get(supplier=world.water, external_number="W-9").account == (
        world.second
    )
    event = AuditEvent.objects.get(action="mapping.linked")
    assert event.actor == world.operator and event.detail["supplier_account"] == "W-9"
    queue = client.get(reverse("mapping-queue"))
    assert [b.pk for b in queue.context["ready"]] == [rejected.pk]
    assert reverse("import-rerun", args=[rejected.pk]) in queue.content.decode()

    rerun = client.post(reverse("import-rerun", args=[rejected.pk]))

    posted = ImportBatch.objects.get(status=BatchStatus.POSTED)
    assert rerun.url == reverse("import-batch", args=[posted.pk])
    assert posted.rows_total == 3 and posted.amount_total == 14095
    assert Charge.objects.filter(batch=posted, account=world.second).count() == 2
    assert any(m.startswith("Posted:") for m in texts(client.get(rerun.url)))
    assert client.get(reverse("mapping-queue")).context["ready"] == []


def test_a_new_account_is_created_from_the_queue_and_linked(client, world):
    entry = UnmatchedLineFactory(
        batch=ImportBatchFactory(supplier=world.water, rows_unmatched=1), supplier_account="W-7"
    )
    client.force_login(world.operator)

    response = client.post(
        reverse("mapping-create", args=[entry.pk]),
        {
            "account_number": "2001",
            "address": "Lenina 7",
            "premises": "12",
            "payer_name": "Ivan Petrov",
        },
    )

    account = Account.objects.get(tenant=world.tenant, account_number="2001")
    entry.refresh_from_db()
    assert response.status_code == 302
    assert account.payer_name == "Ivan Petrov"
    assert str(account.premises) == "Lenina 7, 12"
    assert AccountLink.objects.get(supplier=world.water, external_number="W-7").account == account
    assert entry.resolved_account == account
    assert AuditEvent.objects.filter(action="mapping.account_created").count() == 1
    assert client.get(reverse("mapping-queue")).context["entries"] == []


def test_queue_refuses_a_number_already_linked_to_another_account(client, world):
    entry = UnmatchedLineFactory(batch=ImportBatchFactory(supplier=world.water))
    AccountLinkFactory(
        account=world.first, supplier=world.water, external_number=entry.supplier_account
    )
    client.force_login(world.operator)

    response = client.post(reverse("mapping-link", args=[entry.pk]), {"account_number": "1002"})

    entry.refresh_from_db()
    assert entry.resolved_at is None
    assert any("already linked to account 1001" in m for m in texts(response))
    assert not AuditEvent.objects.filter(action="mapping.linked").exists()


def test_queue_refuses_an_account_of_another_tenant(client, world):
    AccountFactory(tenant=TenantFactory(), account_number="9999")
    entry = UnmatchedLineFactory(batch=ImportBatchFactory(supplier=world.water))
    client.force_login(world.operator)

    response = client.post(reverse("mapping-link", args=[entry.pk]), {"account_number": "9999"})

    entry.refresh_from_db()
    assert entry.resolved_at is None
    assert any("There is no account 9999" in m for m in texts(response))


def test_creating_an_account_that_exists_is_refused(client, world):
    entry = UnmatchedLineFactory(batch=ImportBatchFactory(supplier=world.water))
    client.force_login(world.operator)

    response = client.post(
        reverse("mapping-create", args=[entry.pk]),
        {"account_number": "1001", "address": "A", "premises": "1", "payer_name": "P"},
    )

    assert any("already exists" in m for m in texts(response))
    assert Account.objects.filter(tenant=world.tenant).count() == 2


# --- who may do what --------------------------------------------------------------------------


def test_collector_sees_the_pages_but_gets_403_on_every_action(client, world):
    batch = ImportBatchFactory(supplier=world.water, stored_file="imports/x.csv")
    entry = UnmatchedLineFactory(batch=batch)
    client.force_login(staff(world.tenant, Role.COLLECTOR))

    assert client.get(reverse("import-list")).status_code == 200
    assert client.get(reverse("import-batch", args=[batch.pk])).status_code == 200
    assert client.get(reverse("mapping-queue")).status_code == 200
    assert upload(client, world, GOOD).status_code == 403
    assert client.post(reverse("import-rerun", args=[batch.pk])).status_code == 403
    assert (
        client.post(reverse("mapping-link", args=[entry.pk]), {"account_number": "1001"})
    ).status_code == 403
    assert not ImportBatch.objects.exclude(pk=batch.pk).exists()
    page = client.get(reverse("import-batch", args=[batch.pk])).content.decode()
    assert "Run again" not in page


def test_accountant_may_upload(client, world):
    client.force_login(staff(world.tenant, Role.ACCOUNTANT))

    response = upload(client, world, GOOD)

    assert response.status_code == 302
    assert ImportBatch.objects.get().status == BatchStatus.POSTED


def test_supplier_users_and_anonymous_visitors_do_not_get_the_staff_pages(client, world):
    batch = ImportBatchFactory(supplier=world.water)
    client.force_login(MembershipFactory(supplier=world.water).user)

    for url in (
        reverse("import-list"),
        reverse("import-upload"),
        reverse("import-batch", args=[batch.pk]),
        reverse("import-report", args=[batch.pk]),
        reverse("mapping-queue"),
    ):
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get(reverse("import-list")).status_code == 302


def test_another_tenants_batches_stay_hidden(client, world):
    foreign = ImportBatchFactory(supplier=SupplierFactory(), filename="foreign.csv")
    UnmatchedLineFactory(batch=foreign, supplier_account="FOREIGN-1")
    mine = ImportBatchFactory(supplier=world.water, filename="mine.csv")
    client.force_login(world.operator)

    listing = client.get(reverse("import-list")).content.decode()

    assert "mine.csv" in listing and "foreign.csv" not in listing
    assert client.get(reverse("import-batch", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("import-report", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("import-rerun", args=[foreign.pk])).status_code == 404
    assert "FOREIGN-1" not in client.get(reverse("mapping-queue")).content.decode()
    assert client.get(reverse("import-batch", args=[mine.pk])).status_code == 200


# --- the batch list ---------------------------------------------------------------------------


def test_batch_list_filters_by_tenant_supplier_period_and_status(client, world):
    heat = SupplierFactory(tenant=world.tenant, code="teplo", name="Teplo")
    ImportBatchFactory(supplier=world.water, period="2025-01", filename="w-jan.csv")
    ImportBatchFactory(
        supplier=world.water,
        period="2025-02",
        status=BatchStatus.POSTED,
        version=1,
        filename="w-feb.csv",
    )
    ImportBatchFactory(supplier=heat, period="2025-02", filename="h-feb.csv")
    client.force_login(world.operator)

    def files(**query):
        table = client.get(reverse("import-list"), query).context["table"]
        return sorted(row.record.filename for row in table.page.object_list)

    assert files() == ["h-feb.csv", "w-feb.csv", "w-jan.csv"]
    assert files(tenant="north", supplier=heat.pk) == ["h-feb.csv"]
    assert files(period="2025-02") == ["h-feb.csv", "w-feb.csv"]
    assert files(status="posted") == ["w-feb.csv"]


def test_batch_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    second_tenant = TenantFactory()
    heat = SupplierFactory(tenant=second_tenant)
    for month in range(1, 13):
        ImportBatchFactory(supplier=world.water, period=f"2024-{month:02d}")
        ImportBatchFactory(supplier=heat, period=f"2024-{month:02d}")
        ImportBatchFactory(
            supplier=world.water,
            period=f"2025-{month:02d}",
            status=BatchStatus.POSTED,
            version=1,
        )
    user = world.operator
    MembershipFactory(user=user, tenant=second_tenant, role=Role.ACCOUNTANT)
    client.force_login(user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("import-list"), {"page": 2})

    content = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 11  # 36 batches, 25 a page
    assert "26–36 of 36" in content
    assert content.count('class="badge badge-') == 11
    assert content.count("badge-posted") + content.count("badge-rejected") == 11


# --- the tenant page and the admin ------------------------------------------------------------


def test_tenant_page_links_to_the_imports(client, world):
    ImportBatchFactory(supplier=world.water, filename="recent.csv")
    client.force_login(world.operator)

    content = client.get(reverse("staff-tenant", args=["north"])).content.decode()

    assert f"{reverse('import-upload')}?tenant=north" in content
    assert f"{reverse('import-list')}?tenant=north" in content
    assert "badge-rejected" in content


def test_admin_refuses_a_mapping_profile_with_a_column_that_is_not_canonical(client, world):
    user = world.operator
    client.force_login(user)

    response = client.post(
        reverse("admin:warehouse_mappingprofile_add"),
        {
            "tenant": world.tenant.pk,
            "supplier": world.water.pk,
            "name": "vodokanal-export",
            "source_format": "csv",
            "columns": '{"acount": "Account", "amount": 0}',
            "service_map": "{}",
            "constants": "{}",
            "skip_rows": 0,
            "has_header": "on",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["columns"]
    assert any("acount is not a canonical column" in e for e in errors)
    assert any("amount: a header name or a 1-based column position" in e for e in errors)


def test_admin_saves_a_valid_mapping_profile(client, world):
    client.force_login(world.operator)

    response = client.post(
        reverse("admin:warehouse_mappingprofile_add"),
        {
            "tenant": world.tenant.pk,
            "supplier": world.water.pk,
            "name": "vodokanal-export",
            "source_format": "csv",
            "columns": '{"supplier_account": "ЛС", "amount": 3}',
            "service_map": '{"Холодная вода": "101"}',
            "constants": '{"kind": "regular"}',
            "skip_rows": 0,
            "has_header": "on",
        },
    )

    assert response.status_code == 302
    assert world.water.mapping_profiles.get().columns == {"supplier_account": "ЛС", "amount": 3}


def test_admin_shows_batches_read_only(client, world):
    batch = ImportBatchFactory(supplier=world.water)
    client.force_login(world.operator)

    listing = client.get(reverse("admin:warehouse_importbatch_changelist"))
    change = client.get(reverse("admin:warehouse_importbatch_change", args=[batch.pk]))

    assert listing.status_code == 200 and change.status_code == 200
    assert not change.context["has_change_permission"]
    assert client.get(reverse("admin:warehouse_importbatch_add")).status_code == 403
    assert client.get(reverse("admin:warehouse_closedperiod_changelist")).status_code == 200
    assert client.get(reverse("admin:warehouse_unmatchedline_changelist")).status_code == 200


def test_a_number_queued_by_two_batches_is_one_row_and_one_link_resolves_both(client, world):
    january = ImportBatchFactory(supplier=world.water, period="2025-01")
    february = ImportBatchFactory(supplier=world.water, period="2025-02")
    first = UnmatchedLineFactory(batch=january, supplier_account="W-5", lines=[2])
    UnmatchedLineFactory(batch=february, supplier_account="W-5", lines=[7, 9])
    client.force_login(world.operator)

    rows = client.get(reverse("mapping-queue")).context["entries"]

    assert len(rows) == 1
    assert rows[0]["entry"] == first
    assert [e.batch for e in rows[0]["batches"]] == [january, february]

    client.post(reverse("mapping-link", args=[first.pk]), {"account_number": "1001"})

    assert not UnmatchedLine.objects.filter(resolved_at__isnull=True).exists()
    assert set(UnmatchedLine.objects.values_list("resolved_account", flat=True)) == {world.first.pk}


def test_an_empty_link_form_says_what_is_missing(client, world):
    entry = UnmatchedLineFactory(batch=ImportBatchFactory(supplier=world.water))
    client.force_login(world.operator)

    response = client.post(reverse("mapping-link", args=[entry.pk]), {"account_number": ""})

    assert texts(response) == ["Account number: This field is required."]


def test_running_again_a_batch_whose_file_is_gone_says_so(client, world):
    batch = ImportBatchFactory(supplier=world.water, stored_file="imports/north/gone.csv")
    client.force_login(world.operator)

    response = client.post(reverse("import-rerun", args=[batch.pk]))

    assert response.url == reverse("import-batch", args=[batch.pk])
    assert any("no longer kept" in m for m in texts(response))
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    "column",
    ["id", "created_at", "tenant", "supplier", "period", "status", "rows_total", "amount_total"],
)
def test_batch_list_sorts_by_its_columns(client, world, column):
    ImportBatchFactory(supplier=world.water, period="2025-01")
    ImportBatchFactory(supplier=world.water, period="2025-02")
    client.force_login(world.operator)

    for sort in (column, f"-{column}"):
        response = client.get(reverse("import-list"), {"sort": sort})
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 2
