from django.core.management.base import BaseCommand, CommandError

from splitting.core.ledger_check import ledger_check
from splitting.models import Entry, Transaction
from warehouse.models import Tenant


class Command(BaseCommand):
    help = (
        "Verifies every ledger invariant: each transaction sums to zero; receivables equal the "
        "open items per account, supplier and period; advances equal the payments' unused "
        "advances; supplier payables equal allocations net of commission less payouts; "
        "commission income, channel clearing, payments and clearings agree. Exit 1 and a list "
        "of violations if any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="tenant code (default: every tenant)")

    def handle(self, *args, tenant=None, **options):
        tenant_obj = None
        if tenant:
            tenant_obj = Tenant.objects.filter(code=tenant).first()
            if tenant_obj is None:
                raise CommandError(f"no tenant {tenant!r}", returncode=2)
        violations = ledger_check(tenant_obj)
        if violations:
            for violation in violations:
                self.stdout.write(str(violation))
            raise CommandError(f"{len(violations)} ledger violation(s)", returncode=1)
        transactions = Transaction.objects.all()
        entries = Entry.objects.all()
        if tenant_obj is not None:
            transactions = transactions.filter(tenant=tenant_obj)
            entries = entries.filter(transaction__tenant=tenant_obj)
        self.stdout.write(
            f"Ledger OK: {transactions.count()} transactions, {entries.count()} entries checked."
        )
