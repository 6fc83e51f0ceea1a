"""The files the outside world sends, in their real formats: a supplier's charges export (the
canonical CSV of import-formats.md), a bank's camt.053 (ISO 20022, for IBAN tenants) and a 1C
ClientBankExchange statement (for Russian ones). Pure functions: same arguments, same bytes."""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from core.money import format_minor


@dataclass(frozen=True)
class ChargeRow:
    supplier_account: str
    service_code: str
    amount: int  # minor units; negative only for recalculations
    kind: str = "regular"
    corrects_period: str = ""


def charges_csv(rows: list[ChargeRow], *, with_corrects: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["supplier_account", "service_code", "quantity", "unit", "tariff", "amount", "kind"]
    writer.writerow(header + (["corrects_period"] if with_corrects else []))
    for row in rows:
        line = [
            row.supplier_account,
            row.service_code,
            "",
            "",
            "",
            format_minor(row.amount),
            row.kind,
        ]
        writer.writerow(line + ([row.corrects_period] if with_corrects else []))
    return out.getvalue().encode()


@dataclass(frozen=True)
class Credit:
    """One credit on the operator's bank account."""

    bank_ref: str  # the bank's own reference of the transaction (AcctSvcrRef / Номер)
    amount: int
    payer: str
    payer_account: str
    reference: str = ""  # a structured creditor reference (camt Strd) or a text for 1C
    text: str = ""
    booked: dt.date | None = None  # the day the bank booked it (a file may repeat older ones)


def camt053(
    *, iban: str, currency: str, day: dt.date, entries: list[list[Credit]], msg: str
) -> bytes:
    """camt.053.001.08: one booked entry per list of credits (more than one: a batch booking)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>{day.isoformat()}T20:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{msg}-1</Id><CreDtTm>{day.isoformat()}T20:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        + "".join(
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="{currency}">{format_minor(amount)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
            for code, amount in (
                ("OPBD", 0),
                ("CLBD", sum(c.amount for credits in entries for c in credits)),
            )
        )
    ]
    for number, credits in enumerate(entries, 1):
        total = sum(c.amount for c in credits)
        booked = (credits[0].booked or day).isoformat()
        parts.append(
            f"<Ntry><NtryRef>{msg}-{number}</NtryRef>"
            f'<Amt Ccy="{currency}">{format_minor(total)}</Amt>'
            "<CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt>"
            f"<AcctSvcrRef>{msg}-{number}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            "<NtryDtls>"
        )
        for credit in credits:
            remittance = (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{credit.reference}</Ref></CdtrRefInf></Strd>"
                if credit.reference
                else f"<Ustrd>{_xml(credit.text)}</Ustrd>"
            )
            parts.append(
                "<TxDtls>"
                f"<Refs><AcctSvcrRef>{credit.bank_ref}</AcctSvcrRef>"
                f"<EndToEndId>{credit.bank_ref}</EndToEndId></Refs>"
                f'<Amt Ccy="{currency}">{format_minor(credit.amount)}</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd>"
                f"<RltdPties><Dbtr><Pty><Nm>{_xml(credit.payer)}</Nm></Pty></Dbtr>"
                f"<DbtrAcct><Id><IBAN>{credit.payer_account}</IBAN></Id></DbtrAcct></RltdPties>"
                f"<RmtInf>{remittance}</RmtInf></TxDtls>"
            )
        parts.append("</NtryDtls></Ntry>")
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode()


def one_c(*, account: str, day: dt.date, credits: list[Credit]) -> bytes:
    """A 1C ClientBankExchange statement in Windows-1251, CRLF, as Russian banks send it."""
    date = day.strftime("%d.%m.%Y")
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Банк",
        f"ДатаНачала={date}",
        f"ДатаКонца={date}",
        f"РасчСчет={account}",
        "СекцияРасчСчет",
        f"ДатаНачала={date}",
        f"ДатаКонца={date}",
        f"РасчСчет={account}",
        "НачальныйОстаток=0.00",
        "КонецРасчСчет",
    ]
    for credit in credits:
        booked = (credit.booked or day).strftime("%d.%m.%Y")
        lines += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={credit.bank_ref}",
            f"Дата={booked}",
            f"Сумма={format_minor(credit.amount)}",
            f"ДатаПоступило={booked}",
            f"ПлательщикСчет={credit.payer_account}",
            f"Плательщик1={credit.payer}",
            f"ПолучательСчет={account}",
            "Получатель1=Расчётный центр",
            f"НазначениеПлатежа={credit.text or credit.reference}",
            "КонецДокумента",
        ]
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
