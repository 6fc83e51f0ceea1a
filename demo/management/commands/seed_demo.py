import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from debt_collection.services.penalty_recalculation import penalties_recalculate
from demo.cabinet import demo_cabinet_remove, demo_meters
from demo.debt_collection import demo_cases, demo_collections_remove
from demo.invoicing import demo_documents_remove
from demo.month import demo_clock, demo_month, demo_start
from demo.splitting import demo_ledger_remove, demo_settle_today
from demo.wallets import WALLET_SIGN_INS, demo_wallets, demo_wallets_remove
from demo.warehouse import (
    DEMO_DIR,
    DEMO_PASSWORD,
    DEMO_TENANTS,
    SIGN_INS,
    default_last_period,
    demo_exists,
    demo_periods,
    demo_seed,
)
from warehouse.models import Tenant

DEMO_METER_PREMISES = 200  # per tenant: meters with six months of readings


class Command(BaseCommand):
    help = (
        "Seeds the deterministic demo: tenants demo-ru and demo-eu, their suppliers, accounts, "
        "and their months replayed in tenant time up to now (demo.month): each supplier's "
        "files imported, the periods closed on the 2nd-4th of the next month, the residents' "
        "payments before and after the due dates, bank statements with credits in suspense, "
        "the dunning runs; prints the sign-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=500, help="accounts per tenant")
        parser.add_argument("--months", type=int, default=3, help="months of supplier files")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-import",
            action="store_true",
            help="write the supplier files but do not import them (nor close periods)",
        )

        parser.add_argument(
            "--reset", action="store_true", help="remove an existing demo and seed it again"
        )
        parser.add_argument(
            "--last-period", default=None, help="YYYY-MM of the newest files (default: last month)"
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="folder for the generated files (default: var/demo)",
        )

    def handle(
        self,
        *args,
        accounts,
        months,
        seed,
        last_period,
        out,
        reset,
        no_import,
        **options,
    ):
        if accounts < 1 or months < 1:
            raise CommandError("--accounts and --months must be at least 1", returncode=2)
        if demo_exists() and not reset:
            self.stdout.write("The demo is already seeded (use --reset to seed it again).")
            self._print_sign_ins(SIGN_INS + WALLET_SIGN_INS)
            return
        last_period = last_period or default_last_period()
        out = out or Path(settings.VAR_DIR) / "demo"
        started = time.monotonic()
        now = timezone.now()
        demo_cabinet_remove(DEMO_TENANTS)
        demo_collections_remove(DEMO_TENANTS)
        demo_wallets_remove(DEMO_TENANTS)
        demo_ledger_remove(DEMO_TENANTS)
        demo_documents_remove(DEMO_TENANTS)
        periods = demo_periods(last_period, months)
        zones = [self._zone(code) for code in DEMO_TENANTS]
        with demo_clock(demo_start(periods, zones, now)) as clock:
            result = demo_seed(
                accounts=accounts,
                months=months,
                seed=seed,
                last_period=last_period,
                out=out,
                import_charges=False,
                progress=lambda message: (
                    self.stdout.write(f"  {message}") if options["verbosity"] > 1 else None
                ),
            )
            month = None
            if not no_import:
                month = demo_month(
                    DEMO_TENANTS, periods=periods, folder=out, seed=seed, now=now, clock=clock
                )
        documents = payments = cases = 0
        if month is not None:
            documents, payments = month.documents, month.payments
            result.batches = len(result.files)
            cases = demo_cases(DEMO_TENANTS, seed=seed)
            demo_meters(DEMO_TENANTS, seed=seed, limit=DEMO_METER_PREMISES)
            for tenant in Tenant.objects.filter(code__in=DEMO_TENANTS).order_by("code"):
                # The penalties charged at the closes, held against the rules in force: a
                # database seeded before a legal row changed is put right here.
                recalculated = penalties_recalculate(tenant=tenant)
                self.stdout.write(f"Penalties of {tenant.code}: {recalculated.summary()}")
            demo_settle_today(DEMO_TENANTS)
        for tenant in Tenant.objects.filter(code__in=DEMO_TENANTS).order_by("code"):
            demo_wallets(tenant)
        elapsed = time.monotonic() - started
        total = sum(result.accounts.values())
        self.stdout.write(
            f"Demo seeded in {elapsed:.1f}s: {total} accounts in {len(result.accounts)} tenants, "
            f"{len(result.files)} supplier files for {', '.join(result.periods)} in {out}, "
            f"{result.batches} imported, {documents} payment documents issued, "
            f"{payments} payments taken, {month.messages if month else 0} dunning messages "
            f"sent, {cases} debt cases in the collectors' queue, "
            f"{month.suspense if month else 0} bank credits waiting in suspense"
        )
        self._print_sign_ins(result.sign_ins + WALLET_SIGN_INS)

    @staticmethod
    def _zone(code: str) -> str:
        import yaml

        return yaml.safe_load((DEMO_DIR / f"{code}.yaml").read_text())["timezone"]

    def _print_sign_ins(self, sign_ins):
        self.stdout.write(f"Sign-ins (password for all: {DEMO_PASSWORD}), at /staff/login/:")
        for sign_in in sign_ins:
            self.stdout.write(f"  {sign_in.username:<11} {sign_in.role:<15} sees {sign_in.sees}")
