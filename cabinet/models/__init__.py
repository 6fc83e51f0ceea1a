"""The cabinet's models, one module per area, all re-exported here."""
