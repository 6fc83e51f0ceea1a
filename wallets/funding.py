"""Funding a wallet by bank transfer: the statement matcher of splitting asks every app above it
first whether a new credit is theirs (`splitting.hooks.credit_resolvers`). A credit quoting a
wallet's funding reference — structured, or typed anywhere in the text, spaces and all — is the
wallet's: it is recorded as matched by rule "wallet" and funds the wallet in the same
transaction, never a payment of an account."""

import re
from functools import partial

from integrations.statements.types import StatementCredit
from splitting.hooks import ReferenceMatch
from wallets.models import Wallet
from wallets.services.funding import wallet_for_reference, wallet_fund
from warehouse.models import Tenant

FUNDING_RULE = "wallet"
_WALLET_RF = re.compile(r"RF\d{2}W\d{10}")


def credit_wallet(tenant: Tenant, credit: StatementCredit) -> Wallet | None:
    """The corporate wallet whose funding reference the credit quotes, structured or in the
    text."""
    structured = "".join(credit.structured_reference.split()).upper()
    candidates = [structured] if _WALLET_RF.fullmatch(structured) else []
    candidates += _WALLET_RF.findall("".join(credit.free_text.upper().split()))
    for candidate in candidates:
        wallet = wallet_for_reference(tenant, candidate)
        if wallet is not None:
            return wallet
    return None


def funding_claim(*, tenant: Tenant, credit: StatementCredit) -> ReferenceMatch | None:
    """The `splitting.hooks.credit_resolvers` answer: the wallet takes the credit itself."""
    wallet = credit_wallet(tenant, credit)
    if wallet is None:
        return None
    return ReferenceMatch(claim=partial(wallet_fund, wallet=wallet), rule=FUNDING_RULE)
