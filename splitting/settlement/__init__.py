"""Settling with suppliers: registries of what was collected for each, payouts, and the
reconciliation of every channel's money against what the bank, provider or processor says."""
