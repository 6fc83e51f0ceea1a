"""The pages of wallets, one module per area. The corporate payer's pages under /corporate/:
`payers` (the home and the pick of payers), `coupons` (issuing, batches, coupons, their PDFs,
cancelling), `statements` (funding, reports, the statement's downloads), `members` (people,
roles, invitations sent) and `invitations` (the link an invited person opens), on the common
ground of `corporate` (who may, the page's frame). The office clerks' page is `office`, the
operator's pages are `staff`.

Views parse input, check the role and call one service of `wallets.services`, which writes the
audit rows."""
