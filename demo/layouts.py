"""How each demo supplier's billing system writes its monthly export: file type, encoding,
separator, decimal mark, its own column names and service codes, and how it computes each
charge. These are the layouts that mapping profiles (the import issue) describe."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ChargeRule:
    """One service a supplier bills: its own code and how the quantity is measured."""

    code: str
    basis: str  # meter | area | residents | fixed
    tariff: Decimal
    unit: str
    per_unit_low: Decimal = Decimal("0")  # for meters: monthly consumption range
    per_unit_high: Decimal = Decimal("0")


@dataclass(frozen=True)
class SupplierLayout:
    tenant: str
    supplier: str
    account_prefix: str  # the supplier's own account numbers: prefix + digits
    file_format: str  # csv | xlsx
    columns: dict[str, str]  # canonical column -> the supplier's header
    rules: tuple[ChargeRule, ...]
    encoding: str = "utf-8"
    separator: str = ","
    decimal_comma: bool = False
    sheet: str | None = None


D = Decimal
LAYOUTS: tuple[SupplierLayout, ...] = (
    SupplierLayout(
        "demo-ru",
        "vodokanal",
        "В-",
        "csv",
        {
            "supplier_account": "ЛицевойСчет",
            "service_code": "КодУслуги",
            "quantity": "Объем",
            "unit": "ЕдИзм",
            "tariff": "Тариф",
            "amount": "Сумма",
        },
        (
            ChargeRule("ХВС", "meter", D("52.44"), "m3", D("2.5"), D("9.0")),
            ChargeRule("ВО", "meter", D("38.73"), "m3", D("4.0"), D("14.0")),
        ),
        encoding="cp1251",
        separator=";",
        decimal_comma=True,
    ),
    SupplierLayout(
        "demo-ru",
        "teploset",
        "T",
        "xlsx",
        {
            "supplier_account": "Account No",
            "service_code": "Service",
            "quantity": "Volume",
            "tariff": "Rate",
            "amount": "Charged",
        },
        (
            ChargeRule("01", "area", D("2912.33"), "Gcal"),
            ChargeRule("02", "meter", D("243.15"), "m3", D("1.5"), D("6.0")),
        ),
        sheet="Начисления",
    ),
    SupplierLayout(
        "demo-ru",
        "energosbyt",
        "77",
        "csv",
        {
            "supplier_account": "ls",
            "service_code": "usl",
            "quantity": "kwh",
            "tariff": "tarif",
            "amount": "summa",
        },
        (ChargeRule("EE", "meter", D("7.24"), "kWh", D("80"), D("420")),),
    ),
    SupplierLayout(
        "demo-ru",
        "zhilservis",
        "Ж",
        "csv",
        {
            "supplier_account": "Номер ЛС",
            "service_code": "Услуга",
            "quantity": "Площадь",
            "tariff": "Ставка",
            "amount": "Начислено",
        },
        (ChargeRule("СОД", "area", D("38.50"), "m2"),),
        separator=";",
    ),
    SupplierLayout(
        "demo-ru",
        "ekotrans",
        "TKO",
        "csv",
        {
            "supplier_account": "account",
            "service_code": "service_code",
            "quantity": "residents",
            "tariff": "rate",
            "amount": "amount",
        },
        (ChargeRule("TKO", "residents", D("142.80"), "person"),),
    ),
    SupplierLayout(
        "demo-ru",
        "fkr",
        "KR",
        "csv",
        {
            "supplier_account": "supplier_account",
            "service_code": "service_code",
            "quantity": "quantity",
            "unit": "unit",
            "tariff": "tariff",
            "amount": "amount",
        },
        (ChargeRule("KR", "area", D("21.50"), "m2"),),
    ),
    SupplierLayout(
        "demo-eu",
        "water",
        "W",
        "csv",
        {
            "supplier_account": "Kundennummer",
            "service_code": "Leistung",
            "quantity": "Menge",
            "unit": "Einheit",
            "tariff": "Preis",
            "amount": "Betrag",
        },
        (ChargeRule("101", "meter", D("2.15"), "m3", D("2.5"), D("9.0")),),
        separator=";",
        decimal_comma=True,
    ),
    SupplierLayout(
        "demo-eu",
        "heat",
        "FW",
        "xlsx",
        {
            "supplier_account": "Vertragskonto",
            "service_code": "Tarif",
            "quantity": "Verbrauch",
            "tariff": "Arbeitspreis",
            "amount": "Nettobetrag",
        },
        (ChargeRule("FW-1", "meter", D("0.1284"), "kWh", D("150"), D("900")),),
    ),
    SupplierLayout(
        "demo-eu",
        "power",
        "P",
        "csv",
        {
            "supplier_account": "contract",
            "service_code": "product",
            "quantity": "consumption_kwh",
            "tariff": "price_per_kwh",
            "amount": "total",
        },
        (ChargeRule("STROM", "meter", D("0.3187"), "kWh", D("90"), D("380")),),
    ),
    SupplierLayout(
        "demo-eu",
        "caretaker",
        "HM",
        "csv",
        {
            "supplier_account": "Objektnummer",
            "service_code": "Position",
            "quantity": "Fläche",
            "tariff": "Satz",
            "amount": "Summe",
        },
        (ChargeRule("HM", "area", D("0.95"), "m2"), ChargeRule("RL", "area", D("0.60"), "m2")),
        separator=";",
        decimal_comma=True,
    ),
    SupplierLayout(
        "demo-eu",
        "waste",
        "M",
        "csv",
        {
            "supplier_account": "customer_id",
            "service_code": "fee_code",
            "quantity": "persons",
            "tariff": "fee",
            "amount": "amount",
        },
        (ChargeRule("MUELL", "residents", D("8.40"), "person"),),
    ),
)


def layouts_for(tenant_code: str) -> list[SupplierLayout]:
    return [layout for layout in LAYOUTS if layout.tenant == tenant_code]


def profile_name(layout: SupplierLayout) -> str:
    return f"{layout.supplier}-export"


def profiles_document(tenant_code: str) -> dict:
    """The mapping profiles that read each demo supplier's export (for `profiles_setup`)."""
    return {
        "profiles": [
            {
                "name": profile_name(layout),
                "supplier": layout.supplier,
                "format": layout.file_format,
                "encoding": layout.encoding if layout.file_format == "csv" else "",
                "separator": layout.separator if layout.file_format == "csv" else "",
                "decimal_mark": "," if layout.decimal_comma else ".",
                "sheet": layout.sheet or "",
                "columns": dict(layout.columns),
            }
            for layout in layouts_for(tenant_code)
        ]
    }
