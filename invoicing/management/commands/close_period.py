import time

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from invoicing.services.closing import period_close
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Closes a billing period: freezes its charges and issues one payment document per "
        "account. Refuses while a supplier has no posted charges for the period, unless "
        "--allow-missing (the missing suppliers are named in the audit log). Closing twice is "
        "a no-op."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--allow-missing", action="store_true")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where pay links point"
        )

    def handle(self, *args, tenant, period, allow_missing, base_url, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        started = time.monotonic()
        try:
            result = period_close(
                tenant=tenant_obj, period=period, allow_missing=allow_missing, base_url=base_url
            )
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        if result.already_closed:
            self.stdout.write(f"{tenant} {period} is already closed: nothing changed.")
            return
        missing = f" (closed without: {', '.join(result.missing)})" if result.missing else ""
        self.stdout.write(
            f"Closed {tenant} {period}: {result.issued} documents issued in "
            f"{time.monotonic() - started:.1f}s{missing}."
        )
