"""A supplier's daily settlement registry (CSV, XLSX) and its payout files (ISO 20022 pain.001,
1CClientBankExchange). Pure adapters: no models, no domain apps."""

from .one_c import OneCFile, OneCFormatError, one_c_amount, payout_1c, read_1c
from .pain001 import pain001_errors, payout_pain001
from .registry_files import read_registry_csv, registry_csv, registry_xlsx
from .types import Party, Payout, Registry, RegistryLine

__all__ = [
    "OneCFile",
    "OneCFormatError",
    "Party",
    "Payout",
    "Registry",
    "RegistryLine",
    "one_c_amount",
    "pain001_errors",
    "payout_1c",
    "payout_pain001",
    "read_1c",
    "read_registry_csv",
    "registry_csv",
    "registry_xlsx",
]
