"""Every page every role can reach reads in Russian: the spider (`tests.i18n.crawl`) signs in as
each kind of user of the demo world, asks for Russian, follows every same-site link breadth
first and fails listing each page that still shows a word in Latin script which is not a name,
a code or the data's own text.

Not crawled (see `crawl.SKIPPED_PREFIXES`): Django's admin (its screens speak Django's own
catalogue), the JSON API and its schema pages, and the sandbox acquirer's stand-in page.
`CRAWL_REPORT=/path` appends each role's findings and the URL names it read to a file."""

import io
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client, TestCase

from tests.i18n.crawl import crawl

# The demo's sign-ins (demo/warehouse.py SIGN_INS, demo/wallets.py WALLET_SIGN_INS) per role of
# the brief, and the page each starts from besides "/" (which sends a user to their home).
ROLES = {
    "operator_admin": ("operator", ["/staff/"]),
    "accountant": ("accountant", ["/staff/"]),
    "collector": ("collector", ["/staff/"]),
    "supplier": ("supplier", ["/supplier/"]),
    "resident": ("resident", ["/my/"]),
    "corporate": ("corp-admin", ["/corporate/"]),
    "office_clerk": ("clerk", ["/office/"]),
    "anonymous": (None, ["/staff/login/"]),
}
MAX_PAGES = int(os.environ.get("CRAWL_MAX_PAGES", 400))
PER_URL_NAME = int(os.environ.get("CRAWL_PER_NAME", 3))

# The allow-list, in one place. Latin words a Russian page may show beyond the rules of
# `crawl.is_allowed_token` (digits, URLs, e-mails, file names, acronyms of up to six capitals):
# 1. the data's own values, read from the database below, each allowed as a whole where it
#    stands (`crawl.latin_words`): what the operator or a person typed
#    (companies, banks, addresses, people, usernames, e-mails, the tenant's service
#    classifier, offices, fees, agencies, courts, file names received, notes collectors typed,
#    and the payment providers' names in the operator's settings);
DATA_FIELDS = {
    "warehouse.Tenant": ("code", "name", "address", "bank_name", "bic"),
    "warehouse.Supplier": ("code", "name", "bank_name", "bic"),
    "warehouse.Service": ("code", "name"),
    "warehouse.MappingProfile": ("name",),
    "warehouse.Building": ("address",),
    "warehouse.Account": ("payer_name", "email"),
    "warehouse.User": ("username", "first_name", "last_name", "email"),
    "warehouse.ImportBatch": ("filename",),
    "warehouse.AuditChange": ("actor_name",),
    "splitting.BankCredit": ("payer_name", "free_text"),  # as the bank sent them
    "splitting.StatementImport": ("filename",),
    "splitting.BankDebit": ("counterparty_name",),
    "splitting.TerminalProcessor": ("name", "username"),
    "splitting.FrontOffice": ("name",),
    "wallets.CorporatePayer": ("name", "address", "contact_name", "contact_email"),
    "wallets.Office": ("code", "name"),
    "wallets.Fee": ("code", "name"),
    "wallets.Wallet": ("funding_reference",),
    "debt_collection.Agency": ("name",),
    "debt_collection.CourtProceeding": ("court_name",),
}
# 2. words legitimately Latin on every page (lower case): the product's name and the language
#    switch's English option, which names itself in its own language.
#    And EndToEndId: the pain.001 element a payout is matched by, named as the bank names it.
ALWAYS_ALLOWED = {"unibill", "english", "endtoendid"}


def data_values() -> tuple[str, ...]:
    """The data's values named above, longest first (so a name is taken out before a part of
    it), and what collectors typed into a case's history (the system's own notes carry their
    message id and read in the reader's language: `CaseEvent.text`)."""
    values = set()
    for label, fields in DATA_FIELDS.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            values.update(str(value).strip() for value in row if value and str(value).strip())
    # the payment providers as the operator named them in its settings (PAYMENT_PROVIDERS)
    values.update(str(p["name"]) for p in settings.PAYMENT_PROVIDERS.values() if p.get("name"))
    typed = apps.get_model("debt_collection.CaseEvent").objects.exclude(detail__has_key="said")
    values.update(note.strip() for note in typed.values_list("note", flat=True) if note.strip())
    return tuple(sorted(values, key=len, reverse=True))


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the module, in a transaction rolled back after it."""
    out: Path = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            call_command(
                "seed_demo",
                "--accounts",
                os.environ.get("CRAWL_ACCOUNTS", "12"),
                "--months",
                "2",
                "--last-period",
                "2026-10",
                "--out",
                str(out),
                stdout=io.StringIO(),
            )
            yield data_values()
        finally:
            TestCase._rollback_atomics(atomics)


STAFF_ROLES = ("operator_admin", "accountant", "collector")


def extra_starts(role: str) -> list[str]:
    """Pages no link reaches in the demo's state on the day the test runs (a case closed by the
    day's dunning run drops out of the queue): a staff member also starts from two cases of
    each tenant, whatever their stage."""
    if role not in STAFF_ROLES:
        return []
    cases = apps.get_model("debt_collection.DebtCase").objects.order_by("tenant_id", "pk")
    firsts: dict[int, list[int]] = {}
    for tenant_id, pk in cases.values_list("tenant_id", "pk"):
        firsts.setdefault(tenant_id, []).append(pk)
    return [f"/staff/collections/cases/{pk}/" for pks in firsts.values() for pk in pks[:2]]


def russian_client(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru", raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    if username:
        client.force_login(apps.get_model("warehouse.User").objects.get(username=username))
    return client


def report(result) -> str:
    lines = [f"{result.role}: {len(result.pages)} pages, {len(result.findings)} with English"]
    lines.append(f"  url names: {' '.join(sorted(result.names))}")
    for finding in result.findings:
        lines.append(f"  {finding.url}  [{result.role}]  {sorted(set(finding.words))[:15]}")
        lines += [f"      «{snippet}»" for snippet in finding.snippets[:40]]
    for url, error in result.errors:
        lines.append(f"  ERROR {url}  [{result.role}]  {error}")
    return "\n".join(lines)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_reads_in_russian(role, demo_world, db):
    username, starts = ROLES[role]
    result = crawl(
        russian_client(username),
        role,
        ["/", *starts, *extra_starts(role)],
        ALWAYS_ALLOWED,
        demo_world,
        max_pages=MAX_PAGES,
        per_name=PER_URL_NAME,
    )
    print(f"\n{role}: visited {len(result.pages)} pages")
    dump = os.environ.get("CRAWL_REPORT")
    if dump:
        with open(dump, "a") as file:
            file.write(report(result) + "\n")
    assert result.pages, f"{role}: the crawl reached no page"
    assert not result.findings and not result.errors, report(result)
