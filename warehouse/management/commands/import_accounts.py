from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warehouse.management.rejections import exit_rejected
from warehouse.models import Tenant
from warehouse.reports import FileRejected
from warehouse.services.accounts import accounts_import


class Command(BaseCommand):
    help = "Loads the accounts register (CSV or XLSX) of a tenant; see import-formats.md."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--tenant", required=True, help="tenant code")

    def handle(self, *args, file: Path, tenant: str, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}", returncode=2)
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant with code {tenant!r}", returncode=2)
        try:
            result = accounts_import(tenant=tenant_obj, data=file.read_bytes(), filename=file.name)
        except FileRejected as exc:
            exit_rejected(self, exc, source=str(file))
        self.stdout.write(
            f"Accounts of {tenant}: {result.created} created, {result.updated} updated, "
            f"{result.links} supplier links."
            + (f" The file was {result.encoding_note}." if result.encoding_note else "")
        )
