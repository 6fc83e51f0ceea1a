"""Issue 18, defect 5: any unique account number is accepted (`NL-1`, `12-345/6`, `ЛС-00017`);
the payment reference carries its letters and digits as the tenant's scheme allows them, the
period closes, the documents render into files, and a reference read back finds the account.
A number no reference can carry is refused at the import, with its line — never at the close."""

import pytest

from core.documents.names import file_stem
from invoicing.models import PaymentDocument
from invoicing.references import reference_parse
from tests.month_end import month_end_close
from warehouse.models import Account, Supplier
from warehouse.reports import FileRejected
from warehouse.selectors import accounts_of_reference
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.tenants import tenant_setup

pytestmark = pytest.mark.django_db

SEPA = b"""
code: nl-sep
name: Voorbeeld Beheer BV
profile: SEPA
currency: EUR
locale: en
timezone: Europe/Amsterdam
bank: {name: Example Bank, iban: NL91ABNA0417164300, bic: ABNANL2A}
services:
  - {code: CW, name: Water, unit: m3}
suppliers:
  - code: water
    name: Waterbedrijf BV
    bank: {iban: NL20INGB0001234567, bic: INGBNL2A}
    service_codes: {"W": CW}
"""

RU = """
code: ru-sep
name: ООО «Расчётный центр»
profile: RU
currency: RUB
locale: ru
timezone: Europe/Moscow
inn: "7707083893"
kpp: "770701001"
bank:
  name: ПАО Сбербанк
  account: "40702810938000000001"
  bic: "044525225"
  corr_account: "30101810400000000225"
services:
  - {code: CW, name: Холодная вода, unit: m3}
suppliers:
  - code: vodokanal
    name: АО «Водоканал»
    inn: "7702070139"
    kpp: "770201001"
    bank:
      name: АО Банк
      account: "40702810600000000202"
      bic: "044525974"
      corr_account: "30101810145250000974"
    service_codes: {"ХВС": CW}
""".encode()


def _tenant(yaml: bytes, numbers: list[str], supplier: str, service: str):
    tenant = tenant_setup(data=yaml).tenant
    rows = "".join(
        f"{n},Main street 1,{i},Payer {i},{supplier}:S-{i}\n" for i, n in enumerate(numbers, 1)
    )
    accounts_import(
        tenant=tenant,
        filename="a.csv",
        data=("account_number,address,premises,payer_name,links\n" + rows).encode(),
    )
    charges = "".join(f"S-{i},{service},40.00\n" for i in range(1, len(numbers) + 1))
    outcome = charges_import(
        tenant=tenant,
        supplier=Supplier.objects.get(tenant=tenant, code=supplier),
        period="2026-10",
        filename="c.csv",
        data=("supplier_account,service_code,amount\n" + charges).encode(),
    )
    assert outcome.ok, outcome.message
    return tenant


def test_a_period_closes_for_account_numbers_with_separators_and_references_find_them():
    sepa = _tenant(SEPA, ["NL-1", "12-345/6"], "water", "W")
    ru = _tenant(RU, ["ЛС-00017"], "vodokanal", "ХВС")

    month_end_close(tenant=sepa, period="2026-10")
    month_end_close(tenant=ru, period="2026-10")

    for tenant, number, key in (
        (sepa, "NL-1", "NL1"),
        (sepa, "12-345/6", "123456"),
        (ru, "ЛС-00017", "00017"),
    ):
        account = Account.objects.get(tenant=tenant, account_number=number)
        document = PaymentDocument.objects.get(account=account)
        parsed = reference_parse(document.reference)
        assert (account.reference_key, parsed.account_number) == (key, key)
        assert accounts_of_reference(tenant, parsed.account_number).get() == account
        assert "/" not in file_stem(document.number)


@pytest.mark.parametrize(
    ("yaml", "rows", "reason"),
    [
        (RU, ["ЛС-АБВ"], "the number's digits: it has none"),
        (RU, ["1" * 20], "at most 19 digits"),
        (SEPA, ["ABCDEFGHIJKLMNOP"], "at most 15 Latin letters and digits"),
        (SEPA, ["12-3", "1-23"], "would be that of 12-3 (line 2)"),
    ],
)
def test_a_number_no_reference_can_carry_is_refused_at_the_import_with_its_line(yaml, rows, reason):
    tenant = tenant_setup(data=yaml).tenant
    lines = "".join(f"{n},Main street 1,{i},Payer {i}\n" for i, n in enumerate(rows, 1))

    with pytest.raises(FileRejected) as refused:
        accounts_import(
            tenant=tenant,
            filename="a.csv",
            data=("account_number,address,premises,payer_name\n" + lines).encode(),
        )

    errors = refused.value.errors
    assert [(e.line, e.column) for e in errors] == [(len(rows) + 1, "account_number")]
    assert reason in errors[0].reason
    assert not Account.objects.filter(tenant=tenant).exists()


def test_file_stems_keep_one_path_segment():
    assert file_stem("12-345/6-202610") == "12-345_6-202610"
    assert file_stem("ЛС-00017-202610") == "ЛС-00017-202610"
    assert file_stem("../x") == "x"
