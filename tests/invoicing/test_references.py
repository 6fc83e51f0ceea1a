"""Payment references: golden examples of payment-standards.md §3–§4, round trips, check digits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.ch import esr
from stdnum.iso7064 import mod_11_10

from invoicing.references import (
    ParsedReference,
    ReferenceError,
    format_reference,
    qrr_check_digit,
    qrr_is_valid,
    qrr_reference,
    reference_for,
    reference_parse,
    rf_is_valid,
    rf_reference,
    ru_is_valid,
    ru_reference,
)

periods = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1000, 9999), st.integers(1, 12))
rf_accounts = st.from_regex(r"[0-9A-Z]{1,15}", fullmatch=True)
ru_accounts = st.from_regex(r"[0-9]{1,19}", fullmatch=True)
qrr_accounts = st.from_regex(r"[1-9][0-9]{0,19}", fullmatch=True)


# --- golden examples -----------------------------------------------------------------------


def test_rf_reference_of_the_worked_example():
    assert rf_reference("100200300", "2026-06") == "RF87100200300062026"


def test_rf_examples_of_the_standard_are_valid_in_any_spacing_and_case():
    assert rf_is_valid("RF18 5390 0754 7034")
    assert rf_is_valid("RF18539007547034")
    assert rf_is_valid("rf18 5390 0754 7034")
    assert rf_is_valid("RF87100200300062026")


def test_qrr_check_digit_of_the_worked_example():
    assert qrr_check_digit("21000000000313947143000901") == "7"
    assert qrr_is_valid("210000000003139471430009017")
    assert qrr_is_valid("21 00000 00003 13947 14300 09017")


def test_format_reference_prints_rf_in_groups_of_four_and_qrr_in_swiss_groups():
    assert format_reference("RF87100200300062026") == "RF87 1002 0030 0062 026"
    assert format_reference("rf18539007547034") == "RF18 5390 0754 7034"
    assert format_reference("210000000003139471430009017") == "21 00000 00003 13947 14300 09017"
    assert format_reference("1002003000620265") == "1002003000620265"


def test_ru_reference_is_account_period_and_a_mod_11_10_check_digit():
    ref = ru_reference("100200300", "2026-06")

    assert ref == "1002003000620265"
    assert mod_11_10.is_valid(ref)
    assert ru_is_valid(ref)


def test_qrr_reference_pads_account_and_period_to_26_digits():
    ref = qrr_reference("100200300", "2026-06")

    assert ref == "000000000001002003000620260"
    assert esr.is_valid(ref)


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"), [(rf_reference, "rf"), (ru_reference, "ru"), (qrr_reference, "qrr")]
)
def test_each_kind_parses_back_to_account_and_period(make, kind):
    ref = make("100200300", "2026-06")

    assert reference_parse(ref) == ParsedReference(kind, "100200300", "2026-06")


def test_printed_forms_parse_like_the_compact_ones():
    for ref in (rf_reference("100200300", "2026-06"), qrr_reference("100200300", "2026-06")):
        assert reference_parse(format_reference(ref)) == reference_parse(ref)
    assert reference_parse("rf87 1002 0030 0062 026").account_number == "100200300"


@given(rf_accounts, periods)
def test_rf_round_trip(account, period):
    ref = rf_reference(account, period)

    assert iso11649.is_valid(ref)
    assert rf_is_valid(ref)
    assert len(ref) <= 25
    assert reference_parse(ref) == ParsedReference("rf", account, period)


@given(ru_accounts, periods)
def test_ru_round_trip_keeps_leading_zeros(account, period):
    ref = ru_reference(account, period)

    assert mod_11_10.is_valid(ref)
    assert len(ref) != 27
    assert reference_parse(ref) == ParsedReference("ru", account, period)


@given(qrr_accounts, periods)
def test_qrr_round_trip(account, period):
    ref = qrr_reference(account, period)

    assert len(ref) == 27
    assert esr.is_valid(ref)
    assert reference_parse(ref) == ParsedReference("qrr", account, period)


# --- wrong check digits --------------------------------------------------------------------


def test_wrong_rf_check_digits_are_refused():
    assert not rf_is_valid("RF88100200300062026")
    assert not rf_is_valid("RF18 5390 0754 7035")
    with pytest.raises(ReferenceError, match="MOD 97-10"):
        reference_parse("RF88100200300062026")


def test_wrong_ru_check_digit_is_refused():
    assert not ru_is_valid("1002003000620264")
    with pytest.raises(ReferenceError, match="MOD 11-10"):
        reference_parse("1002003000620264")


def test_wrong_qrr_check_digit_is_refused():
    assert not qrr_is_valid("210000000003139471430009018")
    with pytest.raises(ReferenceError, match="mod-10 recursive"):
        reference_parse("000000000001002003000620261")


def test_reference_error_is_a_value_error():
    assert issubclass(ReferenceError, ValueError)


@given(
    st.sampled_from([rf_reference, ru_reference]),
    st.from_regex(r"[0-9]{1,15}", fullmatch=True),
    periods,
    st.integers(1, 9),
)
def test_any_changed_last_digit_is_refused(make, account, period, delta):
    ref = make(account, period)
    changed = ref[:-1] + str((int(ref[-1]) + delta) % 10)

    with pytest.raises(ReferenceError):
        reference_parse(changed)


@given(qrr_accounts, periods, st.integers(1, 9))
def test_any_changed_qrr_check_digit_is_refused(account, period, delta):
    ref = qrr_reference(account, period)

    with pytest.raises(ReferenceError):
        reference_parse(ref[:-1] + str((int(ref[-1]) + delta) % 10))


@given(ru_accounts, periods)
def test_a_leading_zero_added_to_a_ru_reference_is_refused(account, period):
    ref = ru_reference(account, period)

    with pytest.raises(ReferenceError):
        reference_parse("0" + ref, kinds=("ru",))


def test_without_kinds_a_27_digit_typo_of_a_ru_reference_can_pass_as_a_qrr():
    typo = "0" + ru_reference("0500002020200010000", "1000-01")

    assert reference_parse(typo).kind == "qrr"
    with pytest.raises(ReferenceError, match="8-26 digits"):
        reference_parse(typo, kinds=("ru",))


def test_kinds_restricts_what_parses():
    with pytest.raises(ReferenceError, match="of kind 'rf', expected one of"):
        reference_parse("RF87100200300062026", kinds=("ru", "qrr"))
    assert reference_parse("RF87100200300062026", kinds=("rf",)).kind == "rf"


@given(rf_accounts, periods, st.integers(1, 96))
def test_any_changed_rf_check_number_is_refused(account, period, delta):
    ref = rf_reference(account, period)
    check = (int(ref[2:4]) + delta) % 97

    with pytest.raises(ReferenceError):
        reference_parse(f"RF{check:02d}{ref[4:]}")


# --- layouts we do not issue ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("RF18539007547034", "month 01-12"),  # valid RF, but not account + MMYYYY
        (rf_reference("1002003", "2026-06")[:4] + "X", "RF check digits"),
        ("RF", "not an RF reference"),
        ("RF87 1002 0030 0062 026 !", "not an RF reference"),
        ("12-34", "neither"),
        ("", "neither"),
        ("1234567", "8-26 digits"),
        ("000000000000000000000620262", "no account"),
    ],
)
def test_references_we_do_not_issue_are_refused_with_a_reason(ref, message):
    with pytest.raises(ReferenceError, match=message):
        reference_parse(ref)


def test_rf_with_month_13_is_refused_even_with_correct_check_digits():
    body = "1002003001320" + "26"
    check = 98 - int("".join(str(int(c, 36)) for c in body + "RF00")) % 97
    ref = f"RF{check:02d}{body}"
    assert rf_is_valid(ref)

    with pytest.raises(ReferenceError, match="month 01-12"):
        reference_parse(ref)


# --- refused inputs when building ----------------------------------------------------------


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "202606", "26-06", "2026-6"])
def test_a_bad_period_is_refused(period):
    with pytest.raises(ValueError, match="YYYY-MM"):
        rf_reference("100200300", period)


def test_ru_reference_refuses_a_non_digit_account():
    with pytest.raises(ValueError, match="digits-only"):
        ru_reference("ЛС-100200300", "2026-06")
    with pytest.raises(ValueError, match="digits-only"):
        ru_reference("12A4", "2026-06")
    with pytest.raises(ValueError, match="digits-only"):
        ru_reference("١٢٣", "2026-06")  # Arabic-Indic digits pass str.isdigit()


def test_ru_reference_refuses_an_account_that_would_look_like_a_qrr():
    with pytest.raises(ValueError, match="at most 19 digits"):
        ru_reference("1" * 20, "2026-06")


def test_rf_reference_refuses_a_body_over_21_characters():
    rf_reference("1" * 15, "2026-06")
    with pytest.raises(ValueError, match="too long"):
        rf_reference("1" * 16, "2026-06")


def test_rf_reference_refuses_punctuation_and_non_latin_letters():
    for account in ("100-200", "ЛС1", "straße", ""):
        with pytest.raises(ValueError, match="letters and digits"):
            rf_reference(account, "2026-06")


def test_qrr_reference_refuses_a_leading_zero_it_could_not_give_back():
    with pytest.raises(ValueError, match="leading zero"):
        qrr_reference("0100200300", "2026-06")


# --- profile choice ------------------------------------------------------------------------


def test_reference_for_each_profile():
    assert reference_for("RU", "100200300", "2026-06") == "1002003000620265"
    assert reference_for("SEPA", "100200300", "2026-06") == "RF87100200300062026"
    assert reference_for("CH", "100200300", "2026-06") == "RF87100200300062026"
    assert reference_for("CH", "100200300", "2026-06", qrr=True) == "000000000001002003000620260"


def test_reference_for_refuses_unknown_profile_and_qrr_outside_ch():
    with pytest.raises(ValueError, match="unknown payment profile"):
        reference_for("IT", "100200300", "2026-06")
    with pytest.raises(ValueError, match="only in the CH profile"):
        reference_for("SEPA", "100200300", "2026-06", qrr=True)
