"""The staff navigation, grouped by work — Billing, Money, Collections, Residents, Settings — and
cut per request to the links the user's roles may open.

Each link names the permission its page asks for (`core.permissions`): a page that answers 403
without it (the cash desk: `POST_PAYMENTS`) or that is another role's work (the mapping queue is
the importer's, the case queue the collector's) is left out of the menu of a user without it.
A user's permissions are those of all their memberships (`warehouse.selectors.user_permissions`):
a page shows a user the tenants where they hold the permission. Links whose URL is not
installed are left out too.

The table is here, on the top layer, because it names the pages of every app; the context
processor (`nav`) is registered in settings and read lazily, so a page that shows no menu
costs nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.permissions import Permission as P
from warehouse.selectors import user_permissions


@dataclass(frozen=True)
class Link:
    url_name: str
    section: str  # the `section` the page's view puts in its context
    label: str
    permission: P


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    links: tuple[Link, ...]


@dataclass
class NavGroup:
    key: str
    label: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (url, section, label)

    @property
    def sections(self) -> list[str]:
        return [section for _url, section, _label in self.links]


# The desk's own link, before the groups.
DESK = Link("staff-desk", "desk", _("Desk"), P.VIEW_STAFF_PAGES)

GROUPS: tuple[Group, ...] = (
    Group(
        "billing",
        _("Billing"),
        (
            Link("import-list", "imports", _("Imports"), P.IMPORT),
            Link("mapping-queue", "mapping", _("Mapping queue"), P.IMPORT),
            Link("billing-periods", "billing", _("Billing periods"), P.CLOSE_PERIOD),
            Link("staff-readings", "readings", _("Meter readings"), P.IMPORT),
        ),
    ),
    Group(
        "money",
        pgettext_lazy("navigation", "Money"),
        (
            Link("payment-list", "payments", _("Payments"), P.VIEW_STAFF_PAGES),
            Link("cashdesk", "cashdesk", _("Cash desk"), P.POST_PAYMENTS),
            Link("statement-list", "statements", _("Statements"), P.POST_PAYMENTS),
            Link("suspense-list", "suspense", _("Suspense"), P.POST_PAYMENTS),
            Link("stuck-checkouts", "stuck-checkouts", _("Stuck checkouts"), P.POST_PAYMENTS),
            Link("reconciliation", "reconciliation", _("Reconciliation"), P.POST_PAYMENTS),
            Link("registry-list", "registries", _("Registries"), P.POST_PAYMENTS),
            Link("payout-list", "payouts", _("Payouts"), P.POST_PAYMENTS),
            Link("accounting-export", "accounting", _("Accounting"), P.POST_PAYMENTS),
            Link("flow-log", "flows", _("Reporting flows"), P.POST_PAYMENTS),
            Link("staff-wallets", "wallets", _("Wallets"), P.POST_PAYMENTS),
        ),
    ),
    Group(
        "collections",
        _("Collections"),
        (
            Link("case-queue", "collections", _("Case queue"), P.MANAGE_DEBT),
            Link("dunning-overview", "dunning", _("Dunning"), P.MANAGE_DEBT),
            Link("letter-queue", "letters", _("Letters to print"), P.MANAGE_DEBT),
            Link("penalty-runs", "penalties", _("Penalty runs"), P.CHARGE_PENALTIES),
            Link("collections-analytics", "analytics", _("Analytics"), P.VIEW_STAFF_PAGES),
        ),
    ),
    Group(
        "residents",
        pgettext_lazy("navigation", "Residents"),
        (
            Link("staff-account-search", "accounts", _("Account search"), P.VIEW_STAFF_PAGES),
            Link("staff-requests", "requests", _("Requests"), P.VIEW_STAFF_PAGES),
        ),
    ),
    Group(
        "settings",
        pgettext_lazy("navigation", "Settings"),
        (
            Link("staff-home", "staff", _("Tenants"), P.VIEW_STAFF_PAGES),
            Link("audit-changes", "audit", _("Change history"), P.VIEW_STAFF_PAGES),
            Link("webhook-list", "webhooks", _("Delivery log"), P.VIEW_STAFF_PAGES),
        ),
    ),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def staff_nav(user) -> tuple[tuple[str, str, str] | None, list[NavGroup]]:
    """(the desk's link or None, the groups with the links `user` may open; empty groups left
    out). Settings gains the Django admin for `is_staff` users."""
    if not user.is_authenticated:
        return None, []
    granted = user_permissions(user)
    if P.VIEW_STAFF_PAGES not in granted:
        return None, []
    desk_url = _url(DESK.url_name)
    desk = (desk_url, DESK.section, str(DESK.label)) if desk_url else None
    groups = []
    for group in GROUPS:
        nav = NavGroup(group.key, str(group.label))
        for link in group.links:
            url = _url(link.url_name) if link.permission in granted else None
            if url:
                nav.links.append((url, link.section, str(link.label)))
        if group.key == "settings" and user.is_staff:
            nav.links.append((reverse("admin:index"), "admin", str(_("Admin"))))
        if nav.links:
            groups.append(nav)
    return desk, groups


@dataclass(frozen=True)
class StaffMenu:
    desk: tuple[str, str, str] | None
    groups: list[NavGroup]


def nav(request) -> dict:
    """Template context: `staff_menu` (`staff_nav` of the user), built on first use."""
    return {"staff_menu": SimpleLazyObject(lambda: StaffMenu(*staff_nav(request.user)))}
