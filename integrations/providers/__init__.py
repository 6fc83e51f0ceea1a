"""Online payment providers: the interface (`base`), the sandbox acquirer's client and the
acquirer itself (the demo's provider, built into Unibill), and Stripe Checkout. The domain
(splitting) chooses them by the `adapter` name in `settings.PAYMENT_PROVIDERS`."""

from collections.abc import Mapping

from .base import (
    Checkout,
    CheckoutRequest,
    Provider,
    ProviderError,
    ProviderEvent,
    ProviderRules,
    WebhookRejected,
)

ADAPTERS = ("sandbox", "stripe")


def provider_build(adapter: str, options: Mapping) -> Provider:
    """The adapter named `adapter`, configured with `options` (its settings entry)."""
    if adapter == "sandbox":
        from .sandbox import SandboxProvider

        return SandboxProvider(
            options["base_url"], options["secret"], options.get("webhook_secret", "")
        )
    if adapter == "stripe":
        from .stripe import StripeProvider

        return StripeProvider(
            options["api_key"],
            options["webhook_secret"],
            options.get("api_base", ""),
            max_network_retries=int(options.get("max_network_retries", 2)),
        )
    raise LookupError(f"no payment provider adapter {adapter!r}; known: {', '.join(ADAPTERS)}")


__all__ = [
    "ADAPTERS",
    "Checkout",
    "CheckoutRequest",
    "Provider",
    "ProviderError",
    "ProviderEvent",
    "ProviderRules",
    "WebhookRejected",
    "provider_build",
]
