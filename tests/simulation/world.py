"""The simulated settlement centre: the demo tenants set up from their tenant files, their
accounts registers imported, the suppliers' mapping profiles, an API client per tenant, a
terminal processor, a cashier, the dunning procedure, and each supplier's webhook pointed at the
loopback receiver. Everything through the services operators use."""

import json
import random
from dataclasses import dataclass, field

import yaml
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from debt_collection.models import CollectionSettings
from debt_collection.services.dunning.defaults import dunning_defaults
from demo.generate import DemoAccounts, accounts_register_csv, demo_accounts
from demo.layouts import SupplierLayout, layouts_for, profile_name, profiles_document
from demo.warehouse import DEMO_DIR, DEMO_TENANTS
from splitting.models import TerminalProcessor
from tests.simulation.doubles import Outside
from warehouse.models import Account, MappingProfile, Membership, Role, Supplier, Tenant
from warehouse.services.accounts import accounts_import
from warehouse.services.profiles import profiles_setup
from warehouse.services.tenants import tenant_setup

TERMINAL_PASSWORD = "sim-terminal"


@dataclass
class Payer:
    """How one account's payer behaves, drawn once from the seed."""

    kind: str  # prompt | partial | late | never | overpays
    channel: str  # api | bank | terminal | provider | cash_desk | outside
    delay: int  # days after the document to pay


@dataclass
class SimTenant:
    tenant: Tenant
    demo: DemoAccounts
    accounts: list[Account]
    layouts: list[SupplierLayout]
    suppliers: dict[str, Supplier]
    profiles: dict[str, MappingProfile]
    payers: list[Payer]
    api: APIClient
    staff: object
    processor: TerminalProcessor
    iban: str
    bank_account: str

    @property
    def code(self) -> str:
        return self.tenant.code


@dataclass
class World:
    seed: int
    tenants: list[SimTenant] = field(default_factory=list)
    outside: Outside | None = None


PAYER_KINDS = (("prompt", 50), ("partial", 12), ("late", 15), ("never", 13), ("overpays", 10))
CHANNELS = (
    ("api", 25),
    ("bank", 35),
    ("terminal", 15),
    ("provider", 15),
    ("cash_desk", 10),
    ("outside", 5),  # paid at a post office; the post office's file comes in the evening
)


def _pick(rng: random.Random, weighted) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


def world_build(*, seed: int, accounts: int, tenants: int, outside: Outside) -> World:
    world = World(seed=seed, outside=outside)
    user_model = get_user_model()
    staff = user_model.objects.create_user("sim-staff", password="sim", is_staff=True)
    for code in DEMO_TENANTS[:tenants]:
        document = yaml.safe_load((DEMO_DIR / f"{code}.yaml").read_text())
        tenant = tenant_setup(data=yaml.safe_dump(document, allow_unicode=True).encode()).tenant
        demo = demo_accounts(code, accounts, seed)
        register = accounts_register_csv(demo)
        codes = iter(demo.verification_codes)
        result = accounts_import(
            tenant=tenant,
            data=register,
            filename="accounts.csv",
            verification_codes=lambda codes=codes: next(codes),
        )
        assert not getattr(result, "errors", None), result
        profiles_setup(tenant=tenant, data=json.dumps(profiles_document(code)).encode())
        by_number = {a.account_number: a for a in Account.objects.filter(tenant=tenant)}
        layouts = layouts_for(code)
        suppliers = {s.code: s for s in Supplier.objects.filter(tenant=tenant)}
        for supplier in suppliers.values():
            supplier.webhook_url = outside.supplier_url(supplier.code)
            supplier.webhook_secret = f"sim-{supplier.code}"
            supplier.save(update_fields=["webhook_url", "webhook_secret"])
        Membership.objects.create(user=staff, tenant=tenant, role=Role.OPERATOR_ADMIN)
        gateway = user_model.objects.create_user(f"sim-bank-{code}", password="sim")
        Membership.objects.create(user=gateway, tenant=tenant, role=Role.ACCOUNTANT)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=gateway).key}")
        processor = TerminalProcessor(
            tenant=tenant,
            code=f"qiwi-{code}",
            name="QIWI",
            code_table="osmp",
            username=f"qiwi-{code}",
        )
        processor.set_password(TERMINAL_PASSWORD)
        processor.save()
        collection = CollectionSettings.for_tenant(tenant)
        collection.penalties_enabled = True
        collection.save()
        dunning_defaults(tenant=tenant)
        rng = random.Random(f"{seed}:{code}:payers")
        payers = [
            Payer(
                kind=_pick(rng, PAYER_KINDS), channel=_pick(rng, CHANNELS), delay=rng.randint(1, 25)
            )
            for _ in range(accounts)
        ]
        world.tenants.append(
            SimTenant(
                tenant=tenant,
                demo=demo,
                accounts=[by_number[n] for n in demo.numbers],
                layouts=layouts,
                suppliers=suppliers,
                profiles={
                    layout.supplier: MappingProfile.objects.get(
                        tenant=tenant, name=profile_name(layout)
                    )
                    for layout in layouts
                },
                payers=payers,
                api=api,
                staff=staff,
                processor=processor,
                iban=tenant.iban.replace(" ", ""),
                bank_account=tenant.bank_account,
            )
        )
    return world
