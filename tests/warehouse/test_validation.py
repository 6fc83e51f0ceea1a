"""The identifier checks the loaders rely on, against real, known-good numbers, and the money
conversions at the edge (import-formats.md "Common rules", "Tenant")."""

import pytest
from stdnum.ru import inn as stdnum_inn

from core.money import format_minor, to_minor
from warehouse import validation as v

# (BIC, account) pairs published by the banks themselves.
SETTLEMENT = [
    ("044525225", "40702810238720001420"),  # Sberbank
    ("044525700", "40702810800001400002"),  # Raiffeisenbank
]
CORRESPONDENT = [
    ("044525225", "30101810400000000225"),  # Sberbank
    ("044525974", "30101810145250000974"),  # T-Bank
]


def _one_digit_changes(number: str):
    for position, digit in enumerate(number):
        for other in "0123456789".replace(digit, ""):
            yield number[:position] + other + number[position + 1 :]


@pytest.mark.parametrize(("bic", "account"), SETTLEMENT)
def test_real_settlement_accounts_pass_the_bank_of_russia_key(bic, account):
    assert v.ru_account_key_ok(bic, account)
    assert v.ru_settlement_account_error(bic, account) is None


@pytest.mark.parametrize(("bic", "account"), CORRESPONDENT)
def test_real_correspondent_accounts_pass_the_bank_of_russia_key(bic, account):
    assert v.ru_account_key_ok(bic, account, correspondent=True)
    assert v.ru_corr_account_error(bic, account) is None


@pytest.mark.parametrize(("bic", "account"), SETTLEMENT)
def test_every_one_digit_change_of_a_settlement_account_fails_the_key(bic, account):
    for changed in _one_digit_changes(account):
        assert not v.ru_account_key_ok(bic, changed), changed
        assert v.ru_settlement_account_error(bic, changed) is not None, changed


@pytest.mark.parametrize(("bic", "account"), CORRESPONDENT)
def test_every_one_digit_change_of_a_correspondent_account_fails_the_key(bic, account):
    for changed in _one_digit_changes(account):
        assert not v.ru_account_key_ok(bic, changed, correspondent=True), changed
        assert v.ru_corr_account_error(bic, changed) is not None, changed


@pytest.mark.parametrize(("bic", "account"), SETTLEMENT)
def test_a_settlement_account_fails_the_key_when_the_bics_last_digits_change(bic, account):
    for changed in _one_digit_changes(bic[-3:]):
        assert v.ru_settlement_account_error(bic[:-3] + changed, account) is not None, changed


def test_the_correspondent_key_uses_other_bic_digits_than_the_settlement_key():
    # A correspondent account is keyed with "0" and the BIC's 5th-6th digits, a settlement
    # account with the BIC's last three digits.
    assert v.ru_account_key_prefix("044525225", correspondent=True) == "025"
    assert v.ru_account_key_prefix("044525225", correspondent=False) == "225"
    assert not v.ru_account_key_ok("044525225", "30101810400000000225", correspondent=False)


@pytest.mark.parametrize(("bic", "account"), SETTLEMENT)
def test_ru_account_with_key_keeps_a_correct_settlement_account(bic, account):
    assert v.ru_account_with_key(bic, account) == account


@pytest.mark.parametrize(("bic", "account"), CORRESPONDENT)
def test_ru_account_with_key_keeps_a_correct_correspondent_account(bic, account):
    assert v.ru_account_with_key(bic, account, correspondent=True) == account


@pytest.mark.parametrize("bic", ["044525225", "044525700", "044525974", "040349602"])
@pytest.mark.parametrize(
    "body", ["40702810000000000001", "40817810999999999999", "40702810512345678901"]
)
def test_ru_account_with_key_output_passes_the_key(bic, body):
    account = v.ru_account_with_key(bic, body)

    assert len(account) == 20
    assert account[:8] + account[9:] == body[:8] + body[9:]
    assert v.ru_account_key_ok(bic, account)
    assert v.ru_settlement_account_error(bic, account) is None


@pytest.mark.parametrize("bic", ["044525225", "044525974", "046577964"])
def test_ru_account_with_key_output_passes_the_correspondent_key(bic):
    account = v.ru_account_with_key(bic, "30101810000000000" + bic[-3:], correspondent=True)

    assert v.ru_corr_account_error(bic, account) is None


@pytest.mark.parametrize(
    ("bic", "reason"),
    [
        ("044525225", None),
        ("04452522", "9 digits"),
        ("0445252250", "9 digits"),
        ("144525225", "starting with 04"),
        ("04452522A", "9 digits"),
        ("", "9 digits"),
    ],
)
def test_ru_bic_format(bic, reason):
    error = v.ru_bic_error(bic)

    assert (error is None) if reason is None else (reason in error)


def test_ru_accounts_must_be_20_digits_and_correspondent_accounts_start_with_301():
    assert "20 digits" in v.ru_settlement_account_error("044525225", "4070281023872000142")
    assert "20 digits" in v.ru_settlement_account_error("044525225", "4070281023872000142X")
    assert "20 digits" in v.ru_corr_account_error("044525225", "3010181040000000022")
    assert "301" in v.ru_corr_account_error("044525225", "40702810238720001420")


def test_ru_bank_details_errors_list_every_bad_field():
    good = {
        "bic": "044525225",
        "bank_account": "40702810238720001420",
        "corr_account": "30101810400000000225",
    }
    assert v.bank_details_errors("RU", **good) == []

    bad = {**good, "bank_account": "40702810238720001421", "corr_account": "30101810400000000226"}
    assert [field for field, _ in v.bank_details_errors("RU", **bad)] == [
        "account",
        "corr_account",
    ]


@pytest.mark.parametrize("inn", ["7707083893", "7702070139", "500100732259"])
def test_valid_inn(inn):
    assert v.inn_error(inn) is None


def test_a_computed_12_digit_inn_is_valid_and_a_changed_one_is_not():
    body = "7712345678"
    inn = body + stdnum_inn.calc_personal_check_digits(body)

    assert v.inn_error(inn) is None
    for changed in _one_digit_changes(inn):
        assert v.inn_error(changed) is not None, changed


@pytest.mark.parametrize("inn", ["7707083894", "500100732258", "770708389", "77070838930", ""])
def test_invalid_inn(inn):
    assert v.inn_error(inn).startswith("invalid INN")


@pytest.mark.parametrize(
    ("kpp", "ok"),
    [
        ("773601001", True),
        ("7736AB001", True),
        ("77360100", False),
        ("7736010010", False),
        ("7736ab001", False),
        ("77A601001", False),
        ("773601A01", False),
        ("", False),
    ],
)
def test_kpp(kpp, ok):
    assert (v.kpp_error(kpp) is None) is ok


def test_iban_with_one_digit_changed_is_refused():
    assert v.iban_error("DE89370400440532013000") is None
    assert "invalid IBAN" in v.iban_error("DE89370400440532013001")
    assert "invalid IBAN" in v.iban_error("DE88370400440532013000")
    assert "invalid IBAN" in v.iban_error("")


@pytest.mark.parametrize(("bic", "ok"), [("COBADEFFXXX", True), ("COBADEFF", True)])
def test_valid_bic(bic, ok):
    assert (v.bic_error(bic) is None) is ok


@pytest.mark.parametrize("bic", ["COBAXXFFXXX", "COBADEF", "COBADEFFXX", "COBA1EFFXXX", ""])
def test_invalid_bic(bic):
    assert v.bic_error(bic).startswith("invalid BIC")


def test_ch_profile_refuses_a_german_iban_and_takes_a_swiss_one():
    errors = v.bank_details_errors("CH", iban="DE89370400440532013000", bic="COBADEFFXXX")

    assert errors == [("iban", "IBAN must be from CH, LI")]
    assert v.bank_details_errors("CH", iban="CH9300762011623852957", bic="UBSWCHZH80A") == []
    assert v.bank_details_errors("SEPA", iban="DE89370400440532013000", bic="COBADEFFXXX") == []


@pytest.mark.parametrize("phone", ["+79161234567", "+4930123456", "+12025550123", "+35312345678"])
def test_e164_phone_is_accepted(phone):
    assert v.phone_error(phone) is None


@pytest.mark.parametrize(
    "phone",
    [
        "89161234567",
        "+7 916 123-45-67",
        "+7(916)1234567",
        "+0123456789",
        "+12345",
        "+7916123456789012",
    ],
)
def test_phone_not_in_e164_is_refused(phone):
    assert "E.164" in v.phone_error(phone)


def test_email():
    assert v.email_error("ivanov@example.ru") is None
    assert v.email_error("ivanov@") == "invalid e-mail address"
    assert v.email_error("ivanov example.ru") == "invalid e-mail address"


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1234,5", 123450),
        ("1234.5", 123450),
        ("1234,50", 123450),
        ("1234.56", 123456),
        ("-12.00", -1200),
        ("-0.05", -5),
        ("0", 0),
        (" 7 ", 700),
    ],
)
def test_to_minor(text, minor):
    assert to_minor(text) == minor


@pytest.mark.parametrize("text", ["1,234.56", "1.234", "1 234.56", "12.345", "", "-", "1e3", "+5"])
def test_to_minor_refuses_thousands_separators_and_a_third_decimal(text):
    with pytest.raises(ValueError, match="at most 2 decimals"):
        to_minor(text)


@pytest.mark.parametrize("minor", [0, 1, -1, 5, -5, 99, 100, -1200, 123450, 123456, 10**13])
def test_format_minor_round_trips_through_to_minor(minor):
    assert to_minor(format_minor(minor)) == minor


@pytest.mark.parametrize("text", ["1234.56", "-12.00", "0.05", "1000000.00"])
def test_to_minor_round_trips_through_format_minor(text):
    assert format_minor(to_minor(text)) == text
