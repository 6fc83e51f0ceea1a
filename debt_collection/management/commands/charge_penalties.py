"""`charge_penalties --tenant T --period YYYY-MM`: the penalty run of a period, the step of
month-end before `close_period` (see `debt_collection.services.penalty_runs`)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from core.money import format_minor
from debt_collection.services.penalty_runs import penalty_run
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Charges the penalties accrued through the period's last day that were not charged "
        "before; run it before close_period (which refuses a period without its run). Running "
        "it again before the close charges only what accrued since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM")

    def handle(self, *args, tenant, period, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        try:
            run = penalty_run(tenant=tenant_obj, period=period)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        self.stdout.write(
            f"{tenant} {period}: penalties through {run.through_date:%d.%m.%Y} charged, "
            f"{format_minor(run.amount)} in {run.batches} batch(es) (run {run.runs})."
        )
