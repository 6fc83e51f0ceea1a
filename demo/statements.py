"""The demo's bank statements: a camt.053 of the tenant's own account for one banking day, with
the residents' transfers of that day as credits — those quoting their bill's reference, and
those that quote nothing usable (a flat number, a mistyped account) and wait in suspense for
the accountant. Pure: no database here."""

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

from core.money import format_minor


@dataclass(frozen=True)
class DemoCredit:
    amount: int  # minor units
    payer: str
    bank_reference: str  # the bank's own id of the entry (AcctSvcrRef): unique per credit
    structured_reference: str = ""  # SCOR: the bill's reference
    free_text: str = ""  # Ustrd: what the payer typed


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>
<Stmt>
<Id>{statement_id}</Id>
<ElctrncSeqNb>{sequence}</ElctrncSeqNb>
<CreDtTm>{created}</CreDtTm>
<Acct><Id>{account}</Id><Ccy>{currency}</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">0.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">{total}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
"""

_ENTRY = """<Ntry>
<Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{day}</Dt></BookgDt>
<ValDt><Dt>{day}</Dt></ValDt>
<AcctSvcrRef>{bank_reference}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls>
<Refs><AcctSvcrRef>{bank_reference}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>{payer}</Nm></Pty></Dbtr></RltdPties>
<RmtInf>{remittance}</RmtInf>
</TxDtls></NtryDtls>
</Ntry>
"""

_TAIL = """</Stmt>
</BkToCstmrStmt>
</Document>
"""


def camt053(
    *,
    tenant_code: str,
    iban: str,
    bank_account: str,
    currency: str,
    day: dt.date,
    created: dt.datetime,
    sequence: int,
    credits: list[DemoCredit],
) -> bytes:
    """One banking day of the tenant's account as the bank sends it the next morning."""
    account = (
        f"<IBAN>{iban.replace(' ', '')}</IBAN>" if iban else f"<Othr><Id>{bank_account}</Id></Othr>"
    )
    parts = [
        _HEAD.format(
            statement_id=f"DEMO-{tenant_code.upper()}-{day.isoformat()}",
            created=created.isoformat(timespec="seconds"),
            sequence=sequence,
            account=account,
            currency=currency,
            day=day.isoformat(),
            total=format_minor(sum(c.amount for c in credits)),
        )
    ]
    for credit in credits:
        remittance = ""
        if credit.structured_reference:
            remittance += (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{escape(credit.structured_reference)}</Ref></CdtrRefInf></Strd>"
            )
        if credit.free_text:
            remittance = f"<Ustrd>{escape(credit.free_text)}</Ustrd>" + remittance
        parts.append(
            _ENTRY.format(
                currency=currency,
                amount=format_minor(credit.amount),
                day=day.isoformat(),
                bank_reference=escape(credit.bank_reference),
                payer=escape(credit.payer),
                remittance=remittance,
            )
        )
    parts.append(_TAIL)
    return "".join(parts).encode()
