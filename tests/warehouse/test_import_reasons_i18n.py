"""Import refusal reasons are stored as a message id and its parameters and rendered through
gettext in the reader's language when shown: a stored report never freezes one language."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.warehouse.import_helpers import make_world, upload
from warehouse import reports
from warehouse.models import ImportBatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_reason_is_stored_as_message_id_and_parameters():
    error = reports.problem(3, "period", "2025-02", "differs from %(period)s", period="2025-03")

    row = error.as_row()

    assert row["reason"] == "differs from 2025-03"  # English for the command line and the API
    assert (row["msgid"], row["params"]) == ("differs from %(period)s", {"period": "2025-03"})


def test_a_stored_reason_renders_through_gettext_and_an_old_one_as_stored(monkeypatch):
    monkeypatch.setattr(reports, "gettext", lambda msgid: msgid.replace("differs", "ОТЛИЧАЕТСЯ"))
    row = reports.problem(3, "period", "x", "differs from %(period)s", period="2025-03").as_row()

    assert reports.reason_text(row) == "ОТЛИЧАЕТСЯ from 2025-03"
    assert reports.reason_text({"reason": "an old English reason"}) == "an old English reason"


def test_the_batch_page_and_its_xlsx_render_the_reasons_in_the_readers_language(
    client, monkeypatch
):
    world = make_world()
    client.force_login(world.operator)
    response = upload(client, world, b"supplier_account,service_code,amount\nW-1,999,1.00\n")
    batch = ImportBatch.objects.get()
    stored = batch.report[0]
    assert stored["msgid"].startswith("unknown service code")
    assert batch.message_i18n["msgid"].startswith("Rejected, nothing posted")

    monkeypatch.setattr(reports, "gettext", lambda msgid: "[ru] " + msgid)
    page = client.get(response.url).content.decode()
    xlsx = client.get(reverse("import-report", args=[batch.pk]))

    assert "[ru] unknown service code" in page
    assert "[ru] Rejected, nothing posted" in page
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet["D2"].value.startswith("[ru] unknown service code")
