import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ApplicationError
from invoicing.models import BillingPeriod, PeriodStatus
from invoicing.services.closing import period_close
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Closes a billing period: freezes its charges and issues one payment document per "
        "account, in Celery chunks (run here when Celery is eager). Refuses while a supplier "
        "has no posted charges for the period, unless --allow-missing (the missing suppliers "
        "are named in the audit log). Closing twice is a no-op; an interrupted close resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--allow-missing", action="store_true")

    def handle(self, *args, tenant, period, allow_missing, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        started = time.monotonic()
        try:
            result = period_close(tenant=tenant_obj, period=period, allow_missing=allow_missing)
        except ApplicationError as exc:
            if exc.code == "suppliers_missing":  # the message speaks of the page's checkbox
                missing = ", ".join(exc.extra["missing"])
                raise CommandError(
                    f"No posted charges for {period} from: {missing} "
                    "(--allow-missing closes without them)",
                    returncode=1,
                ) from exc
            if exc.code == "month_end_step_missing":
                hint = " (From the command line: manage.py charge_penalties.)"
                raise CommandError(exc.message + hint, returncode=1) from exc
            raise CommandError(exc.message, returncode=1) from exc
        if result.already_closed:
            self.stdout.write(f"{tenant} {period} is already closed: nothing changed.")
            return
        billing_period = self._wait(result.billing_period)
        missing = f" (closed without: {', '.join(result.missing)})" if result.missing else ""
        self.stdout.write(
            f"Closed {tenant} {period}: {billing_period.documents_issued} documents issued in "
            f"{time.monotonic() - started:.1f}s{missing}."
        )
        if result.documents_late:
            self.stdout.write(
                f"Late: the law wants the documents of {period} out by "
                f"{result.documents_due_by:%d.%m.%Y}."
            )

    def _wait(self, billing_period: BillingPeriod) -> BillingPeriod:
        """With real workers the chunks run elsewhere: show their progress until done."""
        with tqdm(
            total=billing_period.documents_total, unit="doc", disable=not sys.stderr.isatty()
        ) as bar:
            while True:
                billing_period.refresh_from_db()
                bar.update(billing_period.documents_issued - bar.n)
                if billing_period.status == PeriodStatus.CLOSED:
                    return billing_period
                time.sleep(1)
