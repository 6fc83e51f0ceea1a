"""`penalties_recalculate --tenant T [--since YYYY-MM-DD]`: recomputes the penalties charged
since the date with the rules in force now and posts the differences (see
`debt_collection.services.penalty_recalculation`). Running it again posts nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from debt_collection.services.penalty_recalculation import penalties_recalculate
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Recomputes every penalty charged through a date on or after --since (default: all) "
        "with the rules in force, and posts the differences as penalty charges into the first "
        "open period; flags claims and court documents whose penalty changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--since", help="YYYY-MM-DD (default: every penalty charged)")

    def handle(self, *args, tenant, since=None, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        try:
            day = dt.date.fromisoformat(since) if since else None
        except ValueError as exc:
            raise CommandError(
                f"--since: {since!r} is not a date YYYY-MM-DD", returncode=2
            ) from exc
        try:
            result = penalties_recalculate(tenant=tenant_obj, since=day)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        self.stdout.write(f"{tenant}: {result.summary()}")
