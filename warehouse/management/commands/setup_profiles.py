from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warehouse.management.rejections import exit_rejected
from warehouse.models import Tenant
from warehouse.reports import FileRejected
from warehouse.services.profiles import profiles_setup


class Command(BaseCommand):
    help = "Creates or updates mapping profiles from YAML or JSON (docs/mapping-profiles.md)."

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
            profiles = profiles_setup(tenant=tenant_obj, data=file.read_bytes())
        except FileRejected as exc:
            exit_rejected(self, exc, source=str(file))
        names = ", ".join(p.name for p in profiles)
        self.stdout.write(f"Mapping profiles of {tenant}: {len(profiles)} saved ({names}).")
