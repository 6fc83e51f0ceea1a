"""What a payment document says about who is paid and how, per the tenant's country: the
operator and each supplier as parties (RU settlement account/BIC/corr. account with INN/KPP, or
IBAN/BIC with a VAT id), the document's reference in the country's scheme and the payment QR's
payload in its format (GOST R 56042, EPC069-12 or the Swiss QR-bill)."""

from invoicing import qr
from invoicing.document_view import Party
from invoicing.references import reference_for
from warehouse.countries import Country, QrKind, ReferenceScheme
from warehouse.models import Account, Supplier, Tenant


def _party(holder: Tenant | Supplier, country: Country, **extra) -> Party:
    if country.uses_ru_bank_details:
        return Party(
            holder.name,
            tax_ids={"ИНН": holder.inn, "КПП": holder.kpp},
            bank={
                "name": holder.bank_name,
                "account": holder.bank_account,
                "bic": holder.bic,
                "corr_account": holder.corr_account,
            },
            **extra,
        )
    return Party(
        holder.name,
        tax_ids={"VAT": holder.tax_id} if holder.tax_id else {},
        bank={"name": holder.bank_name, "iban": holder.iban, "bic": holder.bic},
        **extra,
    )


def operator_party(tenant: Tenant) -> Party:
    return _party(tenant, tenant.country, address=tenant.address)


def supplier_party(supplier: Supplier, country: Country) -> Party:
    return _party(supplier, country)


def document_reference(tenant: Tenant, account_number: str, period: str) -> str:
    """The reference of the account's document of `period`: a Swiss operator with a QR-IBAN
    must use a QRR reference, every other one the scheme of its country."""
    qrr = tenant.country.reference_scheme is ReferenceScheme.SWISS and qr.is_qr_iban(tenant.iban)
    return reference_for(tenant.profile, account_number, period, qrr=qrr)


def document_qr_payload(
    tenant: Tenant, account: Account, period: str, reference: str, amount_due: int
) -> str:
    """The payment QR's payload in the format of the tenant's country."""
    build = _PAYLOADS[tenant.country.qr_kind]
    return build(tenant, account, period, reference, amount_due)


def _gost(tenant: Tenant, account: Account, period: str, reference: str, amount_due: int) -> str:
    year, month = period.split("-")
    payee = qr.GostPayee(
        name=tenant.name,
        personal_acc=tenant.bank_account,
        bank_name=tenant.bank_name,
        bic=tenant.bic,
        corresp_acc=tenant.corr_account,
        payee_inn=tenant.inn,
        kpp=tenant.kpp,
    )
    return qr.gost_payload(
        payee,
        sum_minor=amount_due,
        pers_acc=account.account_number,
        paym_period=f"{month}{year}",
        purpose=f"Оплата ЖКУ за {month}.{year}, ЛС {account.account_number}, {reference}",
    )


def _swiss(tenant: Tenant, account: Account, period: str, reference: str, amount_due: int) -> str:
    return qr.swiss_payload(
        iban=tenant.iban,
        creditor=swiss_creditor(tenant),
        amount_minor=amount_due or None,
        currency=tenant.currency,
        debtor=None,
        reference_type="QRR" if qr.is_qr_iban(tenant.iban) else "SCOR",
        reference=reference,
        message=f"{period} {account.account_number}",
    )


def _epc(tenant: Tenant, account: Account, period: str, reference: str, amount_due: int) -> str:
    return qr.epc_payload(
        bic=tenant.bic,
        name=tenant.name[:70],
        iban=tenant.iban,
        amount_minor=amount_due or None,
        reference=reference,
    )


_PAYLOADS = {QrKind.GOST: _gost, QrKind.EPC: _epc, QrKind.SWISS: _swiss}


def swiss_creditor(tenant: Tenant) -> qr.SwissAddress:
    """The operator as QR-bill creditor, from its one-line address "Street 1, 8001 Zürich"."""
    street, _, place = tenant.address.rpartition(",")
    postcode, _, town = place.strip().partition(" ")
    return qr.SwissAddress(
        name=tenant.name[:70],
        street=street.strip()[:70],
        postcode=postcode[:16],
        town=town.strip()[:35] or postcode,
        country="CH",
    )
