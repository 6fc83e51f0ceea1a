"""The statement corpus (`tests/fixtures/statements/`): every file through the parser, against the
manifest `expected.yaml`, with an independent reader where one applies. Pure parser tests: no
database, no clock."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import mt940
import pytest
import yaml
from lxml import etree

from integrations.statements import (
    Statement,
    StatementError,
    parse_statements,
    statement_files,
)

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "statements"
MANIFEST = CORPUS / "expected.yaml"
NOT_STATEMENTS = {"expected.yaml", "README.md"}
OUTCOMES = ("parsed", "refused")


def manifest() -> dict[str, dict]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


EXPECTED = manifest()


def parse_upload(name: str) -> list[tuple[str, bytes, Statement]]:
    """Every statement of the file (a zip's members, else the file; a statement per account),
    parsed as the importer reads them; the first StatementError refuses the whole file."""
    data = (CORPUS / name).read_bytes()
    return [
        (member, member_data, statement)
        for member, member_data in statement_files(data, name)
        for statement in parse_statements(member_data, member)
    ]


# -- one file at a time --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_outcome_and_figures(name):
    expected = EXPECTED[name]
    assert expected["outcome"] in OUTCOMES, f"{name}: outcome must be one of {OUTCOMES}"
    if expected["outcome"] == "refused":
        with pytest.raises(StatementError) as refused:
            parse_upload(name)
        message = str(refused.value)
        assert message.strip(), f"{name}: refused without a reason"
        assert expected["reason"] in message, f"{name}: {message!r}"
        return

    statements = [statement for _, _, statement in parse_upload(name)]
    credits = [credit for statement in statements for credit in statement.credits]
    debits = [debit for statement in statements for debit in statement.debits]
    assert len(credits) == expected["credits"], name
    assert sum(credit.amount for credit in credits) == expected["credit_total"], name
    assert len(debits) == expected["debits"], name
    if "warnings" in expected:
        warnings = [warning for statement in statements for warning in statement.warnings]
        assert len(warnings) == expected["warnings"], (name, warnings)
    if "returns" in expected:
        assert sum(credit.is_return for credit in credits) == expected["returns"], name
    for statement in statements:
        assert statement.encoding, name
        for entry in (*statement.credits, *statement.debits):
            assert entry.amount > 0, (name, entry)
            assert entry.currency, (name, entry)
            assert entry.dedupe_key, (name, entry)


# -- independent readers -------------------------------------------------------------------------


def camt_booked_credits(data: bytes) -> tuple[int, int]:
    """(count, total in minor units) of the booked, not reversed CRDT entries, read with plain
    XPath: `Sts` BOOK (V02) or `Sts/Cd` BOOK (V08), `RvslInd` not true, amounts above zero.

    Counts entries, not batch details: the count is only compared for files without batches."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    count, total = 0, 0
    for entry in root.xpath("//*[local-name()='Ntry']"):
        direction = entry.xpath("string(*[local-name()='CdtDbtInd'])").strip()
        status = entry.xpath(
            "normalize-space(*[local-name()='Sts']/*[local-name()='Cd'])"
        ) or entry.xpath("normalize-space(*[local-name()='Sts'][not(*)])")
        reversed_ = entry.xpath("string(*[local-name()='RvslInd'])").strip().lower()
        amount = Decimal(entry.xpath("string(*[local-name()='Amt'])").strip()) * 100
        if direction == "CRDT" and status == "BOOK" and reversed_ not in ("true", "1") and amount:
            count += 1
            total += int(amount)
    return count, total


def mt940_marks(data: bytes) -> dict[str, tuple[int, int]]:
    """{mark: (count, total in minor units)} of the `:61:` lines as the `mt940` package reads
    them with its defaults. The text is decoded (UTF-8, else Windows-1251) and its line ends made
    LF here: the package reads neither bytes in another encoding nor CR-only lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    text = re.sub(r"\r\n?", "\n", text)
    marks: dict[str, tuple[int, int]] = {}
    for transaction in mt940.parse(text):
        mark = transaction.data.get("status")
        if mark is None:
            continue
        count, total = marks.get(mark, (0, 0))
        cents = int(abs(transaction.data["amount"].amount) * 100)
        marks[mark] = (count + 1, total + cents)
    return marks


def _has_batches(data: bytes) -> bool:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return any(
        len(entry.xpath("*[local-name()='NtryDtls']/*[local-name()='TxDtls']")) > 1
        for entry in root.xpath("//*[local-name()='Ntry']")
    )


PARSED = sorted(name for name, expected in EXPECTED.items() if expected["outcome"] == "parsed")


# 1C has no independent reader here (the only other 1C reader in the project is the one the
# parser itself uses, `integrations.settlement.one_c.read_1c`): the manifest checks those files.
INDEPENDENT = [name for name in PARSED if not name.startswith("1c_")]


@pytest.mark.parametrize("name", INDEPENDENT)
def test_independent_reader_agrees(name):
    """camt: the booked credit entries' total (XPath) is the parser's credit total, a batch
    entry's details adding up to it. MT940: the `mt940` package's C lines are the parser's
    credits, its D lines the debits, and the RC/RD reversals are among what the parser skipped."""
    checked = 0
    for member, data in statement_files((CORPUS / name).read_bytes(), name):
        statements = parse_statements(data, member)  # a camt of several accounts: one each
        credits = [credit for statement in statements for credit in statement.credits]
        debits = [debit for statement in statements for debit in statement.debits]
        if statements[0].format.startswith("camt"):
            count, total = camt_booked_credits(data)
            ours = sum(credit.amount for credit in credits)
            assert ours == total, f"{member}: parser {ours}, XPath {total}"
            if not _has_batches(data):
                assert len(credits) == count, member
            checked += 1
        elif statements[0].format == "mt940":
            marks = mt940_marks(data)
            expected_credits = marks.get("C", (0, 0))
            expected_debits = marks.get("D", (0, 0))
            ours = (len(credits), sum(c.amount for c in credits))
            assert ours == expected_credits, f"{member}: parser {ours}, mt940 {expected_credits}"
            ours = (len(debits), sum(d.amount for d in debits))
            assert ours == expected_debits, f"{member}: parser {ours}, mt940 {expected_debits}"
            reversals = marks.get("RC", (0, 0))[0] + marks.get("RD", (0, 0))[0]
            assert sum(statement.skipped for statement in statements) >= reversals, member
            checked += 1
    assert checked, f"{name}: no camt or MT940 statement in it"


# -- dedupe keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PARSED)
def test_dedupe_keys_unique_and_stable(name):
    first = [
        [credit.dedupe_key for credit in statement.credits]
        for _, _, statement in parse_upload(name)
    ]
    again = [
        [credit.dedupe_key for credit in statement.credits]
        for _, _, statement in parse_upload(name)
    ]
    for keys in first:
        assert len(keys) == len(set(keys)), f"{name}: two credits share a key: {keys}"
    assert first == again, f"{name}: the same file gave other keys the second time"


# -- the whole folder ----------------------------------------------------------------------------


@dataclass
class Tally:
    files: int = 0
    parsed: int = 0
    refused: int = 0
    crashed: list[str] = field(default_factory=list)
    refused_without_reason: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"corpus: {self.files} files, {self.parsed} parsed, "
            f"{self.refused} refused with reason, {len(self.crashed)} crashed"
        )


def test_corpus_summary():
    on_disk = {path.name for path in CORPUS.iterdir() if path.is_file()} - NOT_STATEMENTS
    assert on_disk == set(EXPECTED), (
        f"not in the manifest: {sorted(on_disk - set(EXPECTED))}; "
        f"in the manifest, not in the folder: {sorted(set(EXPECTED) - on_disk)}"
    )
    tally = Tally()
    for name in sorted(on_disk):
        tally.files += 1
        try:
            parse_upload(name)
        except StatementError as error:
            if str(error).strip():
                tally.refused += 1
            else:
                tally.refused_without_reason.append(name)
        except Exception:  # noqa: BLE001 - anything but StatementError is a crash, counted
            tally.crashed.append(f"{name}:\n{traceback.format_exc()}")
        else:
            tally.parsed += 1
    print(f"\n{tally.line()}")
    assert not tally.crashed, "\n".join(tally.crashed)
    assert not tally.refused_without_reason, tally.refused_without_reason
