"""Issue 18, defects 6 and 7: phone numbers read with libphonenumber in the tenant's region, and
text files in the encoding their letters are in, named in the import's report.

Before: `0171 1234567` became `+0171…`, a ten-digit Russian `916…` became India's `+916…`, the
accounts import refused any phone not already in E.164, and a Windows-1252 file was read as
Windows-1251 ("Müller" → "Mьller") without a word."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.encodings import EncodingError, decode_text
from tests.factories import PASSWORD, TenantFactory, UserFactory
from warehouse import phones
from warehouse.models import Account, AccountLink, ImportBatch
from warehouse.services.accounts import accounts_import

pytest_plugins = ["tests.warehouse.charges_fixtures"]

HEADER = "account_number,address,premises,payer_name,phone\n"


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("0171 1234567", "DE", "+491711234567"),
        ("916 123 45 67", "RU", "+79161234567"),
        ("8 (916) 123-45-67", "RU", "+79161234567"),
        ("+7 916 123-45-67", "DE", "+79161234567"),  # a country code wins over the region
        ("079 123 45 67", "CH", "+41791234567"),
        ("0041 79 123 45 67", "RU", "+41791234567"),
    ],
)
def test_a_phone_is_read_in_its_region_and_stored_in_e164(written, region, e164):
    assert phones.phone_e164(written, region) == e164


@pytest.mark.parametrize(
    ("written", "region", "reason"),
    [
        ("0171 1234567", "RU", "not a valid phone number of RU"),
        ("+7916000000", "RU", "not a valid phone number"),
        ("12", "RU", "not a valid phone number"),
        ("call me", "DE", "not a phone number"),
        ("0171 1234567", None, "country code"),
    ],
)
def test_a_number_that_is_none_of_its_country_is_refused_with_the_reason(written, region, reason):
    with pytest.raises(phones.PhoneError, match=reason):
        phones.phone_e164(written, region)


@pytest.mark.django_db
def test_the_tenant_region_is_its_own_then_its_profile_then_its_iban():
    assert TenantFactory().region == "RU"
    assert TenantFactory(sepa=True).region == "DE"  # IBAN DE89…
    assert TenantFactory(sepa=True, iban="NL91ABNA0417164300").region == "NL"
    assert TenantFactory(sepa=True, phone_region="AT").region == "AT"


@pytest.mark.django_db
def test_accounts_import_stores_national_numbers_in_e164_of_the_tenant_region():
    german = TenantFactory(sepa=True, code="de-haus")
    russian = TenantFactory(code="ru-dom")
    rows = "1,Hauptstr. 1,1,Jürgen Müller,0171 1234567\n2,Hauptstr. 1,2,Anna Weber,\n"

    accounts_import(tenant=german, data=(HEADER + rows).encode(), filename="a.csv")
    accounts_import(
        tenant=russian,
        data=(HEADER + "1,ул. Мира 5,1,Иванов И. И.,916 123 45 67\n").encode(),
        filename="a.csv",
    )

    assert Account.objects.get(tenant=german, account_number="1").phone == "+491711234567"
    assert Account.objects.get(tenant=german, account_number="2").phone == ""
    assert Account.objects.get(tenant=russian, account_number="1").phone == "+79161234567"


@pytest.mark.django_db
def test_a_resident_signs_up_with_a_ten_digit_russian_number_and_signs_in_the_german_way(client):
    response = client.post(
        "/cabinet/signup/",
        {
            "email": "",
            "phone": "916 123 45 67",
            "first_name": "",
            "password1": "Kvartira-42-Sever",
            "password2": "Kvartira-42-Sever",
        },
    )
    assert response.status_code == 302
    assert UserFactory._meta.model.objects.filter(phone="+79161234567").exists()

    TenantFactory(sepa=True)  # a German tenant: its residents write 0171 …
    UserFactory(username="jurgen", phone="+491711234567")
    client.logout()
    response = client.post("/cabinet/login/", {"login": "0171 1234567", "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]


# --- encodings -------------------------------------------------------------------------------


def test_a_windows_1252_german_file_reads_as_windows_1252_and_says_so():
    data = "name;ort\nJürgen Müller;Straße 1\n".encode("cp1252")

    decoded = decode_text(data, default="cp1251")

    assert decoded.text == "name;ort\nJürgen Müller;Straße 1\n"
    assert decoded.note == "read as Windows-1252 (detected)"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("лс;фио\n1;Иванов Пётр Сергеевич\n", "cp1251"),
        ("лс;фио\n1;Иванов Пётр Сергеевич\n", "cp866"),
        ("Konto;Name\n1;Jürgen Groß\n", "iso8859_15"),
    ],
)
def test_the_legacy_code_page_whose_letters_make_words_is_chosen(text, codec):
    decoded = decode_text(text.encode(codec), default="cp1252")
    assert decoded.text == text


def test_when_the_letters_read_either_way_the_tenants_default_decides():
    data = b"konto;betrag\n1;100 \x80\n"

    assert decode_text(data, default="cp1252").text.endswith("100 €\n")
    assert decode_text(data, default="cp1251").text.endswith("100 Ђ\n")
    assert "the default" in decode_text(data, default="cp1252").note


def test_a_file_past_the_sample_is_read_whole_in_the_code_page_its_sample_chose():
    text = "konto;name\n" + "1;Jürgen Müller\n" * 80_000  # ~1.3 MB, past SAMPLE_BYTES

    decoded = decode_text(text.encode("cp1252"), default="cp1251")

    assert (decoded.encoding, decoded.text) == ("cp1252", text)


def test_utf16_with_and_without_bom_and_utf8_are_not_guessed():
    for data in ("a;b\nMüller;1\n".encode("utf-16"), "a;b\nMüller;1\n".encode("utf-16-le")):
        decoded = decode_text(data)
        assert (decoded.text, decoded.encoding, decoded.note) == ("a;b\nMüller;1\n", "utf-16", "")
    assert decode_text("Müller".encode()).encoding == "utf-8"
    with pytest.raises(EncodingError, match="control characters"):
        decode_text(b"PK\x00\x01\x02binary")


@pytest.mark.django_db
def test_accounts_import_of_a_windows_1252_file_keeps_mueller_and_names_the_encoding(tmp_path):
    TenantFactory(sepa=True, code="de-haus")
    path = tmp_path / "accounts.csv"
    path.write_bytes((HEADER + "1,Birkenweg 3,1,Jürgen Müller,\n").encode("cp1252"))
    out = StringIO()

    call_command("import_accounts", str(path), "--tenant", "de-haus", stdout=out)

    assert Account.objects.get(account_number="1").payer_name == "Jürgen Müller"
    assert "read as Windows-1252 (detected)" in out.getvalue()


@pytest.mark.django_db
def test_a_charges_file_in_windows_1252_matches_its_accounts_and_the_batch_names_it(world):
    account = world.accounts["VK-0001"]
    AccountLink.objects.create(
        tenant=world.tenant, supplier=world.supplier, account=account, external_number="MÜ-0001"
    )
    data = "supplier_account;service_code;amount\nMÜ-0001;01;10,50\n".encode("cp1252")

    outcome = world.import_(data)  # a RU tenant: its default is Windows-1251

    assert outcome.status == "posted", outcome.batch.report
    batch = ImportBatch.objects.get(pk=outcome.batch.pk)
    assert (batch.encoding, batch.encoding_note) == ("cp1252", "read as Windows-1252 (detected)")
    assert batch.message.endswith("; read as Windows-1252 (detected)")


@pytest.mark.django_db
def test_the_tenant_file_encoding_setting_decides_a_tie(world):
    world.tenant.file_encoding = "cp1252"
    world.tenant.save(update_fields=["file_encoding"])
    data = "supplier_account;service_code;amount;unit\nVK-0001;01;1,00;€\n".encode("cp1252")

    outcome = world.import_(data)

    assert outcome.status == "posted", outcome.batch.report
    assert outcome.batch.encoding == "cp1252"
