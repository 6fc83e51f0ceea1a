"""The ways money comes in: the payments API and bulk files, online providers' checkouts, bank
statements and the suspense queue, payment terminals, the cash desk (and its receipts),
front-office payment requests and payments made outside Unibill. Each ends in
`splitting.core.payments.payment_post`."""
