import sys
import time
import zoneinfo
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from debt_collection.services.dunning.run import dunning_run
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Runs the tenant's dunning procedure for a date (default: today in the tenant's time "
        "zone): each overdue account climbs one level when it qualifies, paid accounts start "
        "over. Running the same date again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--date", help="YYYY-MM-DD, the tenant's day (default: today)")

    def handle(self, *args, tenant, date=None, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        if date is None:
            on = timezone.localdate(timezone=zoneinfo.ZoneInfo(tenant_obj.timezone))
        else:
            try:
                on = _day(date)
            except ValueError as exc:
                raise CommandError(f"--date: {exc}", returncode=2) from exc
        started = time.monotonic()
        with tqdm(unit="acct", desc="dunning", disable=not sys.stderr.isatty()) as bar:
            result = dunning_run(tenant=tenant_obj, on=on, progress=bar.update)
        self.stdout.write(f"{result.summary()} in {time.monotonic() - started:.1f}s")


def _day(text: str) -> date:
    return date.fromisoformat(text)
