from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from splitting.channels.statements import statement_import
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Imports a bank statement (ISO 20022 camt.053 or camt.054 .001.02/.08, MT940, "
        "1CClientBankExchange 1.03): booked credits are matched to accounts and posted as "
        "payments; the rest waits in suspense. Importing the same statement again posts "
        "nothing new. Exit 1 when the file is refused (nothing is written)."
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
            outcome = statement_import(
                tenant=tenant_obj, data=file.read_bytes(), filename=file.name
            )
        except ApplicationError as exc:
            raise CommandError(f"refused: {exc.message}", returncode=1) from exc
        record = outcome.statement
        self.stdout.write(
            f"{file.name} ({record.format}, account {record.bank_account}): "
            f"{record.credits} credits — {outcome.matched} matched and posted, "
            f"{outcome.parked} in suspense, {outcome.duplicates} already imported; "
            f"{record.skipped} entries skipped (debits, pending, reversals)."
        )
