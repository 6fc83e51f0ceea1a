"""Splitting's pages and endpoints: one module per area (payments and registries, the cash desk,
statements, providers' webhooks and checkout pages, terminals, payment requests, reconciliation,
the REST API)."""
