from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from splitting.settlement.accounting import act_suppliers, period_of
from splitting.settlement.accounting_files import accounting_file, file_names
from splitting.settlement.commission_act_files import ACT_FORMATS, commission_act_file
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Writes a tenant's accounting export of a month (YYYY-MM, the tenant's time zone) into "
        "--out: the general journal, the account turnover and the trial balance as XLSX and "
        "CSV, the operator's bank operations (payouts) as a 1C file where its bank details are "
        "Russian, and each supplier's commission act as DOCX and PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the tenant's code")
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, type=Path, help="a directory")

    def handle(self, *args, tenant, period, out, **options):
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        try:
            month = period_of(tenant_obj, period)
        except ApplicationError as exc:
            raise CommandError(f"--period: {exc.message}", returncode=2) from exc
        out.mkdir(parents=True, exist_ok=True)
        jobs = [
            (f"{name}.{fmt}", partial(accounting_file, name=name, file_format=fmt))
            for name, fmt in file_names(tenant_obj)
        ]
        jobs += [
            (
                f"act {supplier.code}.{fmt}",
                partial(commission_act_file, supplier=supplier, file_format=fmt),
            )
            for supplier in act_suppliers(tenant=tenant_obj, period=month)
            for fmt in ACT_FORMATS
        ]
        failed = []
        for label, job in jobs:
            try:
                export = job(tenant=tenant_obj, period=period)
            except ApplicationError as exc:
                failed.append(label)
                self.stderr.write(f"{label}: {exc.message}")
                continue
            (out / export.filename).write_bytes(export.content)
            self.stdout.write(f"{out / export.filename} ({len(export.content)} bytes)")
        self.stdout.write(f"{tenant} {period}: {len(jobs) - len(failed)} files in {out}")
        if failed:
            raise CommandError(f"not written: {', '.join(failed)}", returncode=1)
