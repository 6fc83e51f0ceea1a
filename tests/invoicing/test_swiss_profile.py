"""A Swiss operator: documents carry a QR-bill payload and, with a QR-IBAN, a QRR reference."""

import pytest

from invoicing.models import PaymentDocument
from invoicing.qr import is_qr_iban
from invoicing.references import reference_parse
from tests.month_end import month_end_close
from warehouse.models import Supplier
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.tenants import tenant_setup

pytestmark = pytest.mark.django_db

TENANT = b"""
code: acme-ch
name: ACME Verwaltung AG
profile: CH
currency: CHF
locale: de
timezone: Europe/Zurich
address: Bahnhofstrasse 1, 8001 Zurich
bank: {name: Example Bank, iban: CH4431999123000889012}
services:
  - {code: CW, name: Wasser, unit: m3}
suppliers:
  - code: water
    name: Wasserwerk Beispiel AG
    bank: {iban: CH9300762011623852957}
    service_codes: {"W": CW}
"""


def test_a_swiss_document_has_a_qr_bill_payload_and_a_qrr_reference():
    tenant = tenant_setup(data=TENANT).tenant
    accounts_import(
        tenant=tenant,
        filename="a.csv",
        data=(
            b"account_number,address,premises,payer_name,links\n"
            b"4711,Seestrasse 2,1,Anna Muster,water:W-1\n"
        ),
    )
    supplier = Supplier.objects.get(tenant=tenant, code="water")
    charges_import(
        tenant=tenant,
        supplier=supplier,
        period="2026-10",
        filename="c.csv",
        data=b"supplier_account,service_code,amount\nW-1,W,88.40\n",
    )

    month_end_close(tenant=tenant, period="2026-10")

    document = PaymentDocument.objects.get(tenant=tenant)
    assert is_qr_iban(tenant.iban)
    assert reference_parse(document.reference).kind == "qrr"
    assert reference_parse(document.reference).account_number == "4711"
    elements = document.qr_payload.split("\r\n")
    assert elements[:4] == ["SPC", "0200", "1", "CH4431999123000889012"]
    assert "88.40" in elements and "CHF" in elements and "QRR" in elements
    assert document.reference in elements
