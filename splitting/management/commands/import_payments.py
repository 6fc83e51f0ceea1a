from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from splitting.channels.outside_payments import outside_payments_import
from warehouse.models import Tenant
from warehouse.reports import FileRejected


class Command(BaseCommand):
    help = (
        "Imports payments made outside Unibill (CSV: account_number, amount, date, channel, "
        "external_id) as payments on the external channel; a file imported again posts "
        "nothing new. Exit 1 with the per-line report when the file is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--tenant", required=True)

    def handle(self, *args, file, tenant, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        if not file.is_file():
            raise CommandError(f"no file {file}", returncode=2)
        try:
            outcome = outside_payments_import(tenant=tenant_obj, data=file.read_bytes())
        except FileRejected as rejected:
            for error in rejected.errors[:20]:
                self.stderr.write(f"  {error}")
            raise CommandError(f"refused: {rejected.message}", returncode=1) from rejected
        self.stdout.write(
            f"{file.name}: {outcome.posted} payments posted, {outcome.already} already imported."
        )
