"""`accounts_import`: the operator's register of payers (import-formats.md "Accounts").

The file is validated whole, column by column (vectorised), and either every line is written in
one transaction or nothing is: a bad file raises `FileRejected` with every problem listed."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
from django.db import transaction

from core.db import bulk_upsert
from warehouse import account_keys, phones
from warehouse.models import Account, AccountLink, AuditEvent, Building, Premises, Supplier, Tenant
from warehouse.reports import FileRejected, LineError
from warehouse.services.tabular import LINE, TEXT, read_table, require_columns
from warehouse.validation import email_error

REQUIRED = ["account_number", "address", "premises", "payer_name"]
OPTIONAL = ["phone", "email", "area_m2", "residents", "delivery_route", "links"]
_AREA = r"^\d{1,8}(?:[.,]\d{1,2})?$"
_IN_LIMIT = 5000  # above this many keys, reading the tenant's whole table is cheaper than IN (…)
_MAX_LENGTH = {
    "account_number": 32,
    "address": 300,
    "premises": 20,
    "payer_name": 200,
    "delivery_route": 32,
    "email": 254,
}


@dataclass(frozen=True)
class AccountsImportResult:
    created: int
    updated: int
    links: int
    encoding: str = ""  # the codec the file was read in ("" for XLSX)
    encoding_note: str = ""  # "read as Windows-1252 (detected)" when it was guessed


def accounts_import(
    *,
    tenant: Tenant,
    data: bytes,
    filename: str,
    actor=None,
    verification_codes: Callable[[], str] | None = None,
) -> AccountsImportResult:
    """Creates and updates accounts (never deletes). New accounts get a verification code from
    `verification_codes` (random by default; the demo passes a seeded one)."""
    table = read_table(data, filename=filename, default_encoding=tenant.text_encoding)
    require_columns(table, REQUIRED)
    frame = table.frame
    for column in OPTIONAL:
        if column not in frame:
            frame[column] = pd.Series([""] * len(frame), dtype=TEXT, index=frame.index)
    frame = frame.fillna("")

    suppliers = dict(Supplier.objects.filter(tenant=tenant).values_list("code", "id"))
    errors = list(table.errors) + _line_errors(frame)
    errors += _phones_normalised(frame, phones.tenant_region(tenant))
    errors += _key_errors(tenant, frame)
    links, link_errors = _parse_links(frame, suppliers)
    errors += link_errors
    errors += _link_conflicts(tenant, links)
    if errors:
        raise FileRejected(errors)
    result = _post(
        tenant,
        frame,
        links,
        actor=actor,
        filename=filename,
        codes=verification_codes or _verification_code,
    )
    return replace(result, encoding=table.encoding or "", encoding_note=table.encoding_note)


def _line_errors(frame: pd.DataFrame) -> list[LineError]:
    errors: list[LineError] = []

    def flag(mask: pd.Series, column: str, reason: str) -> None:
        for line, value in zip(frame.loc[mask, LINE], frame.loc[mask, column], strict=True):
            errors.append(LineError(int(line), column, str(value), reason))

    for column in REQUIRED:
        flag(frame[column] == "", column, "required value is empty")
    for column, limit in _MAX_LENGTH.items():
        flag(frame[column].str.len() > limit, column, f"longer than {limit} characters")

    numbers = frame["account_number"]
    repeated = numbers.duplicated(keep="first") & (numbers != "")
    first_line = frame.groupby("account_number")[LINE].transform("min")
    for line, value, first in zip(
        frame.loc[repeated, LINE], numbers[repeated], first_line[repeated], strict=True
    ):
        errors.append(
            LineError(
                int(line),
                "account_number",
                value,
                f"duplicate account number (first on line {int(first)})",
            )
        )

    email = frame["email"]
    bad_email = email.map(lambda v: bool(v) and email_error(v) is not None).astype(bool)
    flag(bad_email, "email", "invalid e-mail address")
    area = frame["area_m2"]
    flag(
        (area != "") & ~area.str.match(_AREA),
        "area_m2",
        "area must be a number ≥ 0 with at most 2 decimals",
    )
    residents = frame["residents"]
    flag(
        (residents != "") & ~residents.str.fullmatch(r"\d{1,6}"),
        "residents",
        "residents must be an integer ≥ 0",
    )
    return errors


def _phones_normalised(frame: pd.DataFrame, region: str) -> list[LineError]:
    """Writes each phone in E.164, read in the tenant's region when it has no country code
    (`warehouse.phones`); a cell that is no valid number is an error naming why."""
    written = frame["phone"].str.strip()
    read: dict[str, tuple[str, str]] = {}  # written → (E.164 or as written, reason or "")
    errors = []
    for line, value in zip(frame[LINE].tolist(), written.tolist(), strict=True):
        if not value:
            continue
        if value not in read:
            try:
                read[value] = (phones.phone_e164(value, region), "")
            except phones.PhoneError as exc:
                read[value] = (value, f"{exc} (read in {region})")
        if read[value][1]:
            errors.append(LineError(int(line), "phone", value, read[value][1]))
    frame["phone"] = written.map(lambda v: read[v][0] if v else v).astype(TEXT)
    return errors


def _parse_links(frame: pd.DataFrame, suppliers: dict[str, int]):
    """`SUPPLIERCODE:number|…` → {(supplier_id, number): (line, account_number)}."""
    links: dict[tuple[int, str], tuple[int, str]] = {}
    errors: list[LineError] = []
    with_links = frame[frame["links"] != ""]
    for line, account_number, cell in zip(
        with_links[LINE].tolist(),
        with_links["account_number"].tolist(),
        with_links["links"].tolist(),
        strict=True,
    ):
        for part in (p.strip() for p in cell.split("|")):
            code, sep, number = (x.strip() for x in part.partition(":"))
            if not sep or not code or not number:
                errors.append(
                    LineError(int(line), "links", part, "a link must be SUPPLIERCODE:number")
                )
            elif code not in suppliers:
                errors.append(
                    LineError(int(line), "links", part, f"unknown supplier code {code!r}")
                )
            elif len(number) > 50:
                errors.append(
                    LineError(int(line), "links", part, "supplier account number is too long")
                )
            elif (suppliers[code], number) in links:
                other_line, _ = links[(suppliers[code], number)]
                errors.append(
                    LineError(
                        int(line),
                        "links",
                        part,
                        f"this supplier account is also linked on line {other_line}",
                    )
                )
            else:
                links[(suppliers[code], number)] = (int(line), account_number)
    return links, errors


def _link_conflicts(tenant: Tenant, links) -> list[LineError]:
    """A supplier's account number already linked to another account of ours is an error."""
    if not links:
        return []
    existing = AccountLink.objects.filter(tenant=tenant)
    if len(links) <= _IN_LIMIT:
        existing = existing.filter(external_number__in={number for _, number in links})
    existing = existing.values_list(
        "supplier_id", "external_number", "account__account_number", "supplier__code"
    )
    errors = []
    for supplier_id, number, account_number, code in existing:
        line, wanted = links.get((supplier_id, number), (None, None))
        if line is not None and wanted != account_number:
            errors.append(
                LineError(
                    line, "links", f"{code}:{number}", f"already linked to account {account_number}"
                )
            )
    return errors


@transaction.atomic(durable=True)
def _post(
    tenant: Tenant, frame: pd.DataFrame, links, *, actor, filename, codes
) -> AccountsImportResult:
    """Writes buildings, premises, accounts and links, each step keyed by the ids the one before
    wrote, then the audit row; the accounts known before the write tell created from updated."""
    premises_ids = _post_premises(tenant, frame)
    known = set(Account.objects.filter(tenant=tenant).values_list("account_number", flat=True))
    _post_accounts(tenant, frame, premises_ids, codes)
    if links:
        _post_links(tenant, links)

    created = int((~frame["account_number"].isin(known)).sum())
    result = AccountsImportResult(created=created, updated=len(frame) - created, links=len(links))
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="accounts.imported",
        detail={
            "file": filename,
            "created": result.created,
            "updated": result.updated,
            "links": result.links,
        },
    )
    return result


def _post_premises(tenant: Tenant, frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Upserts the file's buildings and premises; {(address, number): premises id}."""
    addresses = frame["address"].unique().tolist()
    bulk_upsert(
        Building,
        ((tenant.id, a) for a in addresses),
        fields=["tenant_id", "address"],
        unique_fields=["tenant", "address"],
    )
    building_ids = dict(Building.objects.filter(tenant=tenant).values_list("address", "id"))

    premises_keys = frame[["address", "premises"]].drop_duplicates()
    bulk_upsert(
        Premises,
        ((tenant.id, building_ids[a], n) for a, n in premises_keys.itertuples(index=False)),
        fields=["tenant_id", "building_id", "number"],
        unique_fields=["building", "number"],
    )
    return {
        (address, number): pk
        for address, number, pk in Premises.objects.filter(tenant=tenant).values_list(
            "building__address", "number", "id"
        )
    }


def _key_errors(tenant: Tenant, frame: pd.DataFrame) -> list[LineError]:
    """Each number's reference key (`frame["reference_key"]`), and a line error for a number no
    reference can carry, or whose key is another number's (in the file or already)."""
    kind = account_keys.key_kind(tenant)
    errors: list[LineError] = []
    keys: list[str] = []
    first: dict[str, tuple[int, str]] = {}
    for line, number in zip(frame[LINE].tolist(), frame["account_number"].tolist(), strict=True):
        try:
            # an empty or overlong number has its own error already
            too_long = len(number) > _MAX_LENGTH["account_number"]
            key = account_keys.reference_key(kind, number) if number and not too_long else ""
        except ValueError as error:
            errors.append(LineError(int(line), "account_number", number, str(error)))
            key = ""
        keys.append(key)
        if not key:
            continue
        seen = first.setdefault(key, (int(line), number))
        if seen[1] != number:
            errors.append(
                LineError(
                    int(line),
                    "account_number",
                    number,
                    f"its payment reference would be that of {seen[1]} (line {seen[0]})",
                )
            )
    frame["reference_key"] = keys
    holders = dict(
        Account.objects.filter(tenant=tenant, reference_key__in=[k for k in keys if k]).values_list(
            "reference_key", "account_number"
        )
    )
    for line, number, key in zip(frame[LINE].tolist(), frame["account_number"], keys, strict=True):
        if key and holders.get(key, number) != number:
            errors.append(
                LineError(
                    int(line),
                    "account_number",
                    number,
                    f"its payment reference would be that of account {holders[key]}",
                )
            )
    return errors


def _post_accounts(tenant: Tenant, frame: pd.DataFrame, premises_ids, codes) -> None:
    """Upserts one account per line; a new one gets the next of `codes`, an existing one keeps
    its verification code, consents and active flag."""
    column = {c: frame[c].tolist() for c in REQUIRED + OPTIONAL}
    area = frame["area_m2"].str.replace(",", ".", regex=False).tolist()
    update = ["premises", "payer_name", "phone", "email", "area_m2", "residents", "delivery_route"]
    update.append("reference_key")
    column["reference_key"] = frame["reference_key"].tolist()
    bulk_upsert(
        Account,
        (
            (
                tenant.id,
                number,
                premises_ids[(address, prem)],
                payer,
                phone,
                email,
                a or None,
                int(r) if r else None,
                route,
                key,
                codes(),
                True,
                True,
                True,
            )
            for number, address, prem, payer, phone, email, a, r, route, key in zip(
                column["account_number"],
                column["address"],
                column["premises"],
                column["payer_name"],
                column["phone"],
                column["email"],
                area,
                column["residents"],
                column["delivery_route"],
                column["reference_key"],
                strict=True,
            )
        ),
        fields=[
            "tenant_id",
            "account_number",
            "premises_id",
            "payer_name",
            "phone",
            "email",
            "area_m2",
            "residents",
            "delivery_route",
            "reference_key",
            "verification_code",
            "sms_consent",
            "email_consent",
            "is_active",
        ],
        unique_fields=["tenant", "account_number"],
        update_fields=[f if f != "premises" else "premises_id" for f in update],
    )


def _post_links(tenant: Tenant, links) -> None:
    """Upserts the supplier account links onto the accounts just written."""
    numbers = {n for _, n in links.values()}
    accounts = Account.objects.filter(tenant=tenant)
    if len(numbers) <= _IN_LIMIT:
        accounts = accounts.filter(account_number__in=numbers)
    account_ids = dict(accounts.values_list("account_number", "id"))
    bulk_upsert(
        AccountLink,
        (
            (tenant.id, supplier_id, ext, account_ids[number])
            for (supplier_id, ext), (_, number) in links.items()
        ),
        fields=["tenant_id", "supplier_id", "external_number", "account_id"],
        unique_fields=["supplier", "external_number"],
        update_fields=["account_id"],
    )


def _verification_code() -> str:
    """Six digits printed on bills; a resident proves they hold the bill with it."""
    return f"{secrets.randbelow(10**6):06d}"
