import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ApplicationError
from warehouse.management.rejections import write_report
from warehouse.models import MappingProfile, SourceFormat, Supplier, Tenant
from warehouse.reports import LineError
from warehouse.services.charges import charges_import
from warehouse.services.sql_source import charges_pull

STAGES = ["reading", "validating", "posting"]


class Command(BaseCommand):
    help = (
        "Imports one supplier's charges for a period (CSV, XLSX, or a SQL pull when the "
        "profile is a SQL profile). Exit 0: posted or already posted; 1: rejected (the report "
        "path is printed); 2: usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="omit for a SQL-pull profile")
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--supplier", required=True)
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--profile", help="mapping profile name (none: canonical format)")

    def handle(self, *args, file, tenant, supplier, period, profile, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        supplier_obj = Supplier.objects.filter(tenant=tenant_obj, code=supplier).first()
        if supplier_obj is None:
            raise CommandError(f"no supplier {supplier!r} in {tenant}", returncode=2)
        profile_obj = None
        if profile:
            profile_obj = MappingProfile.objects.filter(tenant=tenant_obj, name=profile).first()
            if profile_obj is None:
                raise CommandError(f"no mapping profile {profile!r} in {tenant}", returncode=2)
        pulling = profile_obj is not None and profile_obj.source_format == SourceFormat.SQL
        if file is None and not pulling:
            raise CommandError("give the FILE to import (or a SQL-pull --profile)", returncode=2)
        if file is not None and not file.is_file():
            raise CommandError(f"no such file: {file}", returncode=2)

        started = time.monotonic()
        bar = tqdm(
            total=len(STAGES),
            desc="import",
            unit="step",
            leave=False,
            disable=not sys.stderr.isatty(),
        )

        def progress(stage):
            bar.set_description(stage)
            bar.update(1)

        arguments = {
            "tenant": tenant_obj,
            "supplier": supplier_obj,
            "period": period,
            "profile": profile_obj,
            "progress": progress,
        }
        try:
            if file is None:
                outcome = charges_pull(**arguments)
            else:
                outcome = charges_import(data=file.read_bytes(), filename=file.name, **arguments)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        finally:
            bar.close()
        batch = outcome.batch
        elapsed = time.monotonic() - started
        source = str(file) if file else f"SQL pull ({profile})"
        if outcome.status == "rejected":
            errors = [LineError(**row) for row in batch.report]
            path = write_report(errors, source=source)
            self.stderr.write(f"REJECTED {source}: {outcome.message}")
            for error in errors[:20]:
                self.stderr.write(f"  {error}")
            self.stderr.write(f"Report: {path}")
            sys.exit(1)
        self.stdout.write(
            f"{outcome.status.upper().replace('_', ' ')}: {supplier} {period} batch {batch.pk} "
            f"v{batch.version}, {batch.rows_total} lines, amount {batch.amount_total / 100:.2f} "
            f"in {elapsed:.1f}s — {outcome.message}"
        )
