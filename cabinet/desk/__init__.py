"""The operator's desk: the dashboard, the account search and the account card — staff pages
that read across every domain app (so they live in cabinet, which may import them all)."""
