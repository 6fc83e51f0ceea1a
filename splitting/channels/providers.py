"""Which online payment providers a tenant offers, read from `settings.PAYMENT_PROVIDERS`:

    {"<code>": {"adapter": "sandbox" | "stripe", <the adapter's options>,
                "name": "Card", "rules": {...ProviderRules...}, "tenants": "*" | [codes]}}

A provider is off unless configured; the embedded demo configures the sandbox only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from integrations.providers import Provider, ProviderRules, provider_build

OFFER_CHANNELS = ("cabinet", "pay_link")


@dataclass(frozen=True)
class ProviderConfig:
    code: str
    name: str
    adapter: str
    rules: ProviderRules
    tenants: frozenset[str] | None  # None: every tenant
    options: dict = field(repr=False, compare=False, default_factory=dict)

    def serves(self, tenant) -> bool:
        return self.tenants is None or tenant.code in self.tenants

    def client(self) -> Provider:
        return provider_build(self.adapter, self.options)


def _config(code: str, entry: dict) -> ProviderConfig:
    tenants = entry.get("tenants", "*")
    if isinstance(tenants, str):
        tenants = [tenants]
    return ProviderConfig(
        code=code,
        name=entry.get("name", code),
        adapter=entry["adapter"],
        rules=ProviderRules.from_settings(entry.get("rules", {})),
        tenants=None if "*" in tenants else frozenset(tenants),
        options={k: v for k, v in entry.items() if k not in ("rules", "tenants", "name")},
    )


def provider_config(code: str) -> ProviderConfig | None:
    """The provider configured under `code`, whichever tenants it serves."""
    entry = getattr(settings, "PAYMENT_PROVIDERS", {}).get(code)
    return None if entry is None else _config(code, entry)


def providers_of(tenant) -> list[ProviderConfig]:
    """The providers a tenant offers, in the settings' order."""
    configs = [_config(code, e) for code, e in getattr(settings, "PAYMENT_PROVIDERS", {}).items()]
    return [config for config in configs if config.serves(tenant)]
