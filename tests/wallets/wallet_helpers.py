"""A corporate payer's world for the wallet and coupon tests: a RU tenant, a supplier, an office
that passes its fees to the supplier and one that keeps them for the operator, a fee of each, a
payer with an admin, an issuer and a viewer, and a clerk of the first office. Funding goes
through a real camt.053 statement, so the tests cover the matcher too."""

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from splitting.channels.statements import statement_import
from tests.factories import RU_BANK, SupplierFactory, TenantFactory, UserFactory
from wallets.models import CorporateMember, Fee, Office, Wallet
from wallets.services.payers import payer_create

CAMT = Path(__file__).resolve().parents[1] / "integrations" / "files" / "camt053_v08.xml"


@dataclass
class CouponWorld:
    tenant: object
    supplier: object
    office: Office
    own_office: Office
    fee: Fee  # 1,500.00 to the supplier through `office`
    own_fee: Fee  # 250.00 to the operator through `own_office`
    wallet: Wallet
    admin: object
    issuer: object
    viewer: object
    clerk: object
    other_clerk: object

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
        return client

    def refresh(self) -> Wallet:
        self.wallet.refresh_from_db()
        return self.wallet


def coupon_world() -> CouponWorld:
    tenant = TenantFactory()
    supplier = SupplierFactory(tenant=tenant, name="ГИБДД регистрация")
    office = Office.objects.create(
        tenant=tenant, code="reg-1", name="Registration office 1", supplier=supplier
    )
    own_office = Office.objects.create(tenant=tenant, code="desk", name="Operator's desk")
    fee = Fee.objects.create(
        tenant=tenant,
        code="reg",
        name="Vehicle registration",
        amount=150_000,
        office=office,
        validity_days=30,
    )
    own_fee = Fee.objects.create(
        tenant=tenant,
        code="svc",
        name="Certificate",
        amount=25_000,
        office=own_office,
        validity_days=10,
    )
    staff = UserFactory()
    payer = payer_create(tenant=tenant, name="ООО Лизинг-Плюс", tax_id="7701234567", actor=staff)
    people = {}
    for role in ("admin", "issuer", "viewer"):
        people[role] = UserFactory(username=f"corp-{role}-{tenant.pk}")
        CorporateMember.objects.create(
            payer=payer, user=people[role], role=role, added_at=timezone.now()
        )
    clerk, other_clerk = UserFactory(), UserFactory()
    office.users.add(clerk)
    own_office.users.add(other_clerk)
    return CouponWorld(
        tenant=tenant,
        supplier=supplier,
        office=office,
        own_office=own_office,
        fee=fee,
        own_fee=own_fee,
        wallet=payer.wallets.get(),
        admin=people["admin"],
        issuer=people["issuer"],
        viewer=people["viewer"],
        clerk=clerk,
        other_clerk=other_clerk,
    )


def camt_credit(world: CouponWorld, amount: str, reference: str, *, bank_ref="B26071500042"):
    """A camt.053 of the tenant's account with one credit quoting `reference` (SCOR)."""
    return (
        CAMT.read_text()
        .replace(
            "<IBAN>DE02120300000000202051</IBAN>",
            f"<Othr><Id>{RU_BANK['bank_account']}</Id></Othr>",
        )
        .replace("EUR", "RUB")
        .replace(">51.23<", f">{amount}<")
        .replace("B26071500042", bank_ref)
        .replace("RF87100200300062026", reference)
        .encode()
    )


def fund(world: CouponWorld, amount: str, *, bank_ref="B26071500042"):
    return statement_import(
        tenant=world.tenant,
        data=camt_credit(world, amount, world.wallet.funding_reference, bank_ref=bank_ref),
        filename="camt053.xml",
    )
