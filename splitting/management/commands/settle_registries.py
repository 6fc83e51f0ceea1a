"""Settles a tenant's registries of a day — every supplier's payout in one payment-order file
for the bank — as the "Pay out the day" page does. Booking money asks for `--yes`."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from splitting.settlement.orders import PAYMENT_ORDER_FORMATS
from splitting.settlement.payouts import day_settle
from splitting.settlement.registries import registries_build
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Settles every registry of the tenant's day still to settle: what each supplier owes "
        "back is recovered first, the rest is paid out; writes the day's payment-order file "
        "(1C or pain.001) to --out. Without --yes it only says it would."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD, the tenant's day")
        parser.add_argument("--format", choices=PAYMENT_ORDER_FORMATS, dest="file_format")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--yes", action="store_true", help="book the payouts")

    def handle(self, *args, tenant, date, file_format, out, yes, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        try:
            day = _day(date)
        except ValueError as exc:
            raise CommandError(f"--date: {exc}", returncode=2) from exc
        if not yes:
            raise CommandError("settling books payouts: add --yes", returncode=2)
        registries_build(tenant=tenant_obj, day=day)  # built already: nothing changes
        try:
            result = day_settle(tenant=tenant_obj, day=day, file_format=file_format or "")
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        for registry, reason in result.refused:
            self.stderr.write(f"{registry.number}: {reason}")
        if result.file is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(bytes(result.file.content))
        paid = sum(p.amount for p in result.payouts)
        self.stdout.write(
            f"{tenant_obj.code} {day}: {len(result.settled)} registries settled, "
            f"{len(result.payouts)} payouts of {paid} (minor units)"
            + (f" → {out}" if result.file is not None else ", no payment-order file")
        )
        if result.refused:
            raise CommandError(f"{len(result.refused)} registries refused", returncode=1)


def _day(text: str) -> date:
    return date.fromisoformat(text)
