"""The corporate home: a person acting for one payer lands on its page, a person acting for
several picks one; the payer's page shows the wallet's balance and the latest batches."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from wallets.forms import ROLE_NAMES
from wallets.models import CorporateMember, CouponBatch
from wallets.views.corporate import corporate_page, payer_access, wallet_of


@login_required
def home(request):
    memberships = list(
        CorporateMember.objects.filter(user=request.user)
        .select_related("payer__tenant")
        .order_by("payer__name", "payer_id")
    )
    if not memberships:
        raise PermissionDenied
    if len(memberships) == 1:
        return redirect("corporate-payer", payer=memberships[0].payer_id)
    rows = [
        {"member": m, "role_name": ROLE_NAMES[m.role], "wallet": wallet_of(m.payer)}
        for m in memberships
    ]
    return corporate_page(request, "wallets/corporate/pick.html", None, {"rows": rows})


@login_required
def payer_home(request, payer: int):
    access = payer_access(request, payer)
    batches = list(
        CouponBatch.objects.filter(wallet=access.wallet).select_related("fee", "issued_by")[:5]
    )
    return corporate_page(request, "wallets/corporate/home.html", access, {"batches": batches})
