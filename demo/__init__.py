"""The deterministic demo (`manage.py seed_demo`): tenants, suppliers' files, closed periods,
payments, debt cases, wallets and meters, built through the real services. It may import every
app; nothing imports it (production packages carry no demo code)."""
