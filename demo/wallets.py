"""The demo's wallets and coupons (`seed_demo`): per demo tenant, a supplier's office and the
operator's desk with their fees, a corporate payer funded by a real statement import, and its
coupons; `demo_wallets_remove` takes them away again before the ledger is (`seed_demo --reset`).
"""

from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.warehouse import DEMO_PASSWORD, SignIn
from splitting.channels.statements import statement_import
from splitting.models import BankCredit, StatementImport
from wallets.models import (
    CorporateMember,
    CorporatePayer,
    CorporateRole,
    Coupon,
    CouponBatch,
    Fee,
    Office,
    Wallet,
    WalletMovement,
)
from wallets.services.coupons import coupon_cancel, coupon_redeem, coupons_issue
from wallets.services.payers import payer_create
from warehouse.models import Supplier, Tenant

WALLET_USERS = ("corp-admin", "corp-issuer", "clerk")

_DEMO_WALLET = {
    "RUB": {
        "payer": ("ООО «Лизинг-Плюс»", "7701234567"),
        "supplier_office": "Абонентский отдел «{supplier}»",
        "operator_office": "Касса расчётного центра",
        "fees": [
            ("connection", "Подключение к сетям", 1_500_000, "supplier", 90),
            ("meter-seal", "Опломбирование прибора учёта", 250_000, "supplier", 60),
            ("certificate", "Справка об отсутствии задолженности", 50_000, "operator", 30),
        ],
        "funding": "200000.00",
    },
    "EUR": {
        "payer": ("Muster Leasing GmbH", "DE123456789"),
        "supplier_office": "{supplier} — service office",
        "operator_office": "Operator's service desk",
        "fees": [
            ("connection", "Connection to the network", 45_000, "supplier", 90),
            ("meter-seal", "Meter sealing", 8_500, "supplier", 60),
            ("certificate", "No-debt certificate", 2_500, "operator", 30),
        ],
        "funding": "5000.00",
    },
}

_CAMT053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
<GrpHdr><MsgId>DEMO-WALLET-{code}</MsgId><CreDtTm>{now}</CreDtTm></GrpHdr>
<Stmt>
<Id>DEMO-WALLET-{code}-{day}</Id>
<ElctrncSeqNb>1</ElctrncSeqNb>
<CreDtTm>{now}</CreDtTm>
<Acct><Id>{account}</Id><Ccy>{currency}</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">0.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Ntry>
<Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{day}</Dt></BookgDt>
<ValDt><Dt>{day}</Dt></ValDt>
<AcctSvcrRef>DEMO-WALLET-{code}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls>
<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>{payer}</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>
<Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
</TxDtls></NtryDtls>
</Ntry>
</Stmt>
</BkToCstmrStmt>
</Document>
"""


def _funding_statement(tenant: Tenant, wallet, amount: str) -> bytes:
    """A camt.053 of the tenant's own account with one credit quoting the wallet's funding
    reference — what the bank would send after the payer's transfer."""
    if tenant.iban:
        account = f"<IBAN>{tenant.iban.replace(' ', '')}</IBAN>"
    else:
        account = f"<Othr><Id>{tenant.bank_account}</Id></Othr>"
    now = timezone.now().astimezone(ZoneInfo(tenant.timezone))
    return _CAMT053.format(
        code=tenant.code.upper(),
        now=now.isoformat(timespec="seconds"),
        day=now.date().isoformat(),
        account=account,
        currency=wallet.currency,
        amount=amount,
        payer=escape(wallet.payer.name),
        reference=wallet.funding_reference,
    ).encode()


def _wallet_users() -> dict:
    names = {
        "corp-admin": ("Carla", "Corporate"),
        "corp-issuer": ("Igor", "Issuer"),
        "clerk": ("Klara", "Clerk"),
    }
    users = {}
    for username, (first, last) in names.items():
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.unibill.local",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def demo_wallets(tenant: Tenant) -> None:
    """A supplier's office and the operator's own desk with three fees, a corporate payer whose
    wallet is funded by a real statement import, and its coupons: a batch issued, one used at
    the office, one cancelled. Everything through the services people use."""
    setup = _DEMO_WALLET.get(tenant.currency)
    if setup is None:
        return
    users = _wallet_users()
    supplier = Supplier.objects.filter(tenant=tenant).order_by("code").first()
    offices = {
        "supplier": Office.objects.create(
            tenant=tenant,
            code="supplier-office",
            name=setup["supplier_office"].format(supplier=supplier.name),
            supplier=supplier,
        ),
        "operator": Office.objects.create(
            tenant=tenant, code="operator-desk", name=setup["operator_office"]
        ),
    }
    for office in offices.values():
        office.users.add(users["clerk"])
    fees = [
        Fee.objects.create(
            tenant=tenant,
            code=code,
            name=name,
            amount=amount,
            office=offices[where],
            validity_days=days,
        )
        for code, name, amount, where, days in setup["fees"]
    ]
    name, tax_id = setup["payer"]
    payer = payer_create(tenant=tenant, name=name, tax_id=tax_id, actor=None)
    now = timezone.now()
    for username, role in (
        ("corp-admin", CorporateRole.ADMIN),
        ("corp-issuer", CorporateRole.ISSUER),
    ):
        CorporateMember.objects.create(payer=payer, user=users[username], role=role, added_at=now)
    wallet = payer.wallets.get()
    statement_import(
        tenant=tenant,
        data=_funding_statement(tenant, wallet, setup["funding"]),
        filename=f"{tenant.code}-wallet-funding.xml",
    )
    issuer = users["corp-issuer"]
    batch = coupons_issue(wallet=wallet, fee=fees[0], count=5, actor=issuer)
    coupons_issue(wallet=wallet, fee=fees[2], count=3, actor=issuer)
    first, second = list(batch.coupons.order_by("pk")[:2])
    coupon_redeem(coupon=first, case_reference="DEMO-0001", actor=users["clerk"])
    coupon_cancel(coupon=second, actor=issuer)


@transaction.atomic
def demo_wallets_remove(tenant_codes) -> None:
    """Before `demo_ledger_remove`: the wallet rows protect their ledger transactions."""
    tenants = list(Tenant.objects.filter(code__in=tenant_codes).values_list("pk", flat=True))
    if tenants:
        credits = list(
            BankCredit.objects.filter(
                tenant_id__in=tenants, wallet_movement__isnull=False
            ).values_list("pk", "statement_id")
        )
        WalletMovement.objects.filter(wallet__tenant_id__in=tenants).delete()
        Coupon.objects.filter(tenant_id__in=tenants).delete()
        CouponBatch.objects.filter(tenant_id__in=tenants).delete()
        Wallet.objects.filter(tenant_id__in=tenants).delete()
        CorporatePayer.objects.filter(tenant_id__in=tenants).delete()  # members, invitations
        Fee.objects.filter(tenant_id__in=tenants).delete()
        service_users = [
            f"office-{code}-{office}"
            for code, office in Office.objects.filter(tenant_id__in=tenants).values_list(
                "tenant__code", "code"
            )
        ]
        Office.objects.filter(tenant_id__in=tenants).delete()
        BankCredit.objects.filter(pk__in=[pk for pk, _ in credits]).delete()
        StatementImport.objects.filter(
            pk__in={statement for _, statement in credits}, bank_credits__isnull=True
        ).delete()
        get_user_model().objects.filter(username__in=service_users).delete()
    get_user_model().objects.filter(username__in=WALLET_USERS).delete()


WALLET_SIGN_INS = [
    SignIn(
        "corp-admin", "corporate admin", "the demo corporate payer of each tenant (/corporate/)"
    ),
    SignIn("corp-issuer", "coupon issuer", "issues and cancels that payer's coupons"),
    SignIn("clerk", "office clerk", "verifies and redeems coupons at the demo offices (/office/)"),
]
