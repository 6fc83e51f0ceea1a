"""Deterministic demo data: an operator's accounts register and each supplier's monthly export
in its own layout. Pure functions of (seed, count, periods): no database here, so the files are
byte-for-byte the same for the same arguments."""

import csv
import io
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from demo.layouts import SupplierLayout, layouts_for
from demo.xlsx import write_xlsx

ACCOUNTS_PER_BUILDING = 60

_RU_SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
)
_RU_INITIALS = "АБВГДЕИКЛМНОПРСТ"
_RU_STREETS = (
    "Ленина",
    "Садовая",
    "Лесная",
    "Школьная",
    "Советская",
    "Молодёжная",
    "Центральная",
    "Новая",
    "Набережная",
    "Заречная",
    "Мира",
    "Гагарина",
    "Пушкина",
    "Зелёная",
)
_EU_FIRST = (
    "Anna",
    "Lukas",
    "Marie",
    "Felix",
    "Sophie",
    "Jonas",
    "Lea",
    "Paul",
    "Emma",
    "Leon",
    "Hannah",
    "Finn",
    "Mia",
    "Elias",
    "Lena",
    "Noah",
)
_EU_LAST = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
)
_EU_STREETS = (
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Birkenweg",
    "Lindenstraße",
    "Kirchstraße",
    "Waldstraße",
)


@dataclass(frozen=True)
class DemoAccounts:
    """The demo accounts of one tenant as parallel columns (cheap at 200,000 rows)."""

    tenant: str
    numbers: list[str]
    addresses: list[str]
    premises: list[str]
    payers: list[str]
    phones: list[str]
    emails: list[str]
    area_centi: np.ndarray  # area in 0.01 m²
    residents: np.ndarray
    routes: list[str]
    verification_codes: list[str]

    def supplier_number(self, layout: SupplierLayout, index: int) -> str:
        return f"{layout.account_prefix}{index + 1:07d}"


def _rng(seed: int, *parts: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(p.encode()) for p in parts)])


def demo_accounts(tenant: str, count: int, seed: int) -> DemoAccounts:
    rng = _rng(seed, tenant, "accounts")
    russian = tenant == "demo-ru"
    index = np.arange(count)
    building = index // ACCOUNTS_PER_BUILDING
    streets = _RU_STREETS if russian else _EU_STREETS
    street = rng.integers(0, len(streets), size=int(building.max(initial=0)) + 1)
    if russian:
        addresses = [f"г. Москва, ул. {streets[street[b]]}, д. {b + 1}" for b in building]
        first = rng.integers(0, len(_RU_INITIALS), size=(count, 2))
        last = rng.integers(0, len(_RU_SURNAMES), size=count)
        payers = [
            f"{_RU_SURNAMES[s]} {_RU_INITIALS[a]}. {_RU_INITIALS[b]}."
            for s, (a, b) in zip(last, first, strict=True)
        ]
        numbers = [f"{1_002_000_000 + i}" for i in index]
        phones = [f"+7916{n:07d}" for n in rng.integers(0, 10**7, size=count)]
    else:
        addresses = [
            f"{streets[street[b]]} {b + 1}, 10{b % 900 + 100:03d} Berlin" for b in building
        ]
        first = rng.integers(0, len(_EU_FIRST), size=count)
        last = rng.integers(0, len(_EU_LAST), size=count)
        payers = [f"{_EU_FIRST[f]} {_EU_LAST[s]}" for f, s in zip(first, last, strict=True)]
        numbers = [f"{5_100_000_000 + i}" for i in index]
        phones = [f"+49151{n:08d}" for n in rng.integers(0, 10**8, size=count)]
    has_phone = rng.random(count) < 0.7
    has_email = rng.random(count) < 0.5
    codes = rng.integers(0, 10**6, size=count)
    return DemoAccounts(
        tenant=tenant,
        numbers=numbers,
        addresses=addresses,
        premises=[str(i % ACCOUNTS_PER_BUILDING + 1) for i in index],
        payers=payers,
        phones=[p if ok else "" for p, ok in zip(phones, has_phone, strict=True)],
        emails=[
            f"payer{n}@example.com" if ok else "" for n, ok in zip(numbers, has_email, strict=True)
        ],
        area_centi=rng.integers(280, 1100, size=count) * 10,
        residents=rng.integers(1, 6, size=count),
        routes=[f"R{b % 12 + 1:02d}" for b in building],
        verification_codes=[f"{c:06d}" for c in codes],
    )


def accounts_register_csv(accounts: DemoAccounts) -> bytes:
    """The accounts register in the canonical format of import-formats.md."""
    layouts = layouts_for(accounts.tenant)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "account_number",
            "address",
            "premises",
            "payer_name",
            "phone",
            "email",
            "area_m2",
            "residents",
            "delivery_route",
            "links",
        ]
    )
    for i, number in enumerate(accounts.numbers):
        links = "|".join(
            f"{layout.supplier}:{accounts.supplier_number(layout, i)}" for layout in layouts
        )
        area = int(accounts.area_centi[i])
        writer.writerow(
            [
                number,
                accounts.addresses[i],
                accounts.premises[i],
                accounts.payers[i],
                accounts.phones[i],
                accounts.emails[i],
                f"{area // 100}.{area % 100:02d}",
                int(accounts.residents[i]),
                accounts.routes[i],
                links,
            ]
        )
    return out.getvalue().encode("utf-8")


def _fixed(values: np.ndarray, decimals: int, comma: bool) -> list[str]:
    """Integers in 10^-decimals units → fixed-point strings, with a decimal point or comma."""
    mark = "," if comma else "."
    scale = 10**decimals
    return [
        f"{'-' if v < 0 else ''}{abs(v) // scale}{mark}{abs(v) % scale:0{decimals}d}"
        for v in values.tolist()
    ]


def supplier_rows(layout: SupplierLayout, accounts: DemoAccounts, period: str, seed: int):
    """The supplier's lines for one period as canonical columns of strings."""
    rng = _rng(seed, layout.tenant, layout.supplier, period)
    count = len(accounts.numbers)
    numbers = [accounts.supplier_number(layout, i) for i in range(count)]
    columns: dict[str, list[str]] = {c: [] for c in layout.columns}
    for rule in layout.rules:
        tariff_exp = -Decimal(rule.tariff).as_tuple().exponent
        tariff_units = int(rule.tariff.scaleb(tariff_exp))
        if rule.basis == "meter":
            low, high = int(rule.per_unit_low * 1000), int(rule.per_unit_high * 1000)
            quantity, q_decimals = rng.integers(low, high + 1, size=count), 3
        elif rule.basis == "area":
            quantity, q_decimals = accounts.area_centi.copy(), 2
            if rule.unit == "Gcal":  # heating billed on area × a norm of 0.0163 Gcal/m²
                quantity, q_decimals = accounts.area_centi * 163 // 100, 4
        else:
            quantity, q_decimals = accounts.residents.astype(np.int64), 0
        shift = 10 ** (q_decimals + tariff_exp - 2)
        amount = (
            (quantity * tariff_units + shift // 2) // shift
            if shift > 1
            else quantity * tariff_units
        )
        columns["supplier_account"] += numbers
        columns["service_code"] += [rule.code] * count
        columns["quantity"] += (
            _fixed(quantity, q_decimals, layout.decimal_comma)
            if q_decimals
            else [str(q) for q in quantity.tolist()]
        )
        columns["tariff"] += [
            str(rule.tariff).replace(".", "," if layout.decimal_comma else ".")
        ] * count
        columns["amount"] += _fixed(amount, 2, layout.decimal_comma)
        if "unit" in columns:
            columns["unit"] += [rule.unit] * count
    return columns


def write_supplier_file(
    layout: SupplierLayout, accounts: DemoAccounts, period: str, seed: int, folder: Path
) -> Path:
    columns = supplier_rows(layout, accounts, period, seed)
    headers = [layout.columns[c] for c in layout.columns]
    rows = zip(*(columns[c] for c in layout.columns), strict=True)
    folder.mkdir(parents=True, exist_ok=True)
    if layout.file_format == "xlsx":
        path = folder / f"{layout.supplier}-{period}.xlsx"
        numeric = frozenset(
            i for i, c in enumerate(layout.columns) if c in ("quantity", "tariff", "amount")
        )
        write_xlsx(path, layout.sheet or "Sheet1", headers, rows, numeric)
        return path
    path = folder / f"{layout.supplier}-{period}.csv"
    with path.open("w", encoding=layout.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=layout.separator, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_tenant_files(
    tenant: str, count: int, seed: int, periods: list[str], folder: Path
) -> list[Path]:
    """Every supplier file of one tenant; runs in a worker process beside the database import."""
    accounts = demo_accounts(tenant, count, seed)
    return [
        write_supplier_file(layout, accounts, period, seed, folder / layout.supplier)
        for layout in layouts_for(tenant)
        for period in periods
    ]
