"""The ground floor: what every app may import and what imports no app of ours — domain
errors, response headers, SQL bulk helpers, money, UI widgets, document writers, permissions."""
