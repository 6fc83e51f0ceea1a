import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.documents.names import file_stem
from invoicing.rendering.pdf import render_pdf, render_pdfs
from invoicing.selectors import document_view, documents_of_period, print_order
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Writes the PDFs of a closed period: one per account (<number>.pdf) and one merged "
        "print file sorted by delivery route, building and premises (print-<period>.pdf)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--period", required=True)
        parser.add_argument("--account", help="only this account number")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--base-url", default=None, help="the pay links' base (default: PUBLIC_BASE_URL)"
        )

    def handle(self, *args, tenant, period, account, out, base_url, **options):
        base_url = base_url or settings.PUBLIC_BASE_URL
        tenant_obj = Tenant.objects.filter(code=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"no tenant {tenant!r}", returncode=2)
        documents = print_order(documents_of_period(tenant_obj, period))
        if account:
            documents = documents.filter(account__account_number=account)
        total = documents.count()
        if total == 0:
            raise CommandError(
                f"no issued documents for {tenant} {period}"
                + (f" and account {account}" if account else ""),
                returncode=1,
            )
        out.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        views = []
        for document in tqdm(
            documents.iterator(chunk_size=500),
            total=total,
            unit="doc",
            disable=not sys.stderr.isatty(),
        ):
            view = document_view(document, base_url=base_url)
            (out / f"{file_stem(document.number)}.pdf").write_bytes(render_pdf(view))
            views.append(view)
        print_path = out / f"print-{tenant}-{period}.pdf"
        print_path.write_bytes(render_pdfs(views))
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Rendered {total} documents of {tenant} {period} in {elapsed:.1f}s "
            f"({total / elapsed:.0f}/s) into {out}; print file {print_path.name}"
        )
