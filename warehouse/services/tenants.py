"""`tenant_setup`: creates or updates a tenant from its YAML/JSON description
(import-formats.md "Tenant"): bank details, the service classifier and the suppliers with their
contracts and service-code maps. Suppliers and services are matched by code, added or updated,
never deleted. A file with any problem is rejected whole, every problem listed with its line."""

import json
import re
import zoneinfo
from dataclasses import dataclass

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from core.money import percent, to_minor
from warehouse import validation as v
from warehouse.countries import COUNTRIES, Country
from warehouse.models import (
    AuditEvent,
    CountryProfile,
    FlowDelivery,
    FlowFormat,
    FlowInterval,
    Service,
    Supplier,
    SupplierFlow,
    SupplierServiceCode,
    Tenant,
)
from warehouse.models.reference import validate_encoding, validate_region
from warehouse.reports import FileRejected, LineError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


@dataclass(frozen=True)
class TenantSetupResult:
    tenant: Tenant
    created: bool
    services: int
    suppliers: int


def tenant_setup(*, data: bytes, filename: str = "tenant.yaml", actor=None) -> TenantSetupResult:
    document, lines = _load(data)
    checker = _Checker(lines)
    spec = checker.tenant(document)
    if checker.errors:
        raise FileRejected(checker.errors)
    return _write(spec, actor=actor, filename=filename)


_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads an unquoted `044525225` as an octal number and `01` as 1; BICs, KPPs and
    service codes are digit strings, so a number written with a leading zero stays text."""

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if _LEADING_ZERO.match(text):
            return text
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _load(data: bytes):
    """Parses YAML (JSON is YAML too) and records the line of every value by its path."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected([LineError(None, "file", "", "the file must be UTF-8 text")]) from exc
    if "\t" in text and _is_json(text):
        # JSON has tabs only between tokens (never raw inside a string), where YAML refuses
        # them; as spaces they change neither the values nor the lines.
        text = text.replace("\t", " ")
    try:
        node = yaml.compose(text, Loader=_Loader)
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise FileRejected([LineError(line, "file", "", f"not valid YAML/JSON: {exc}")]) from exc
    lines: dict[str, int] = {}

    def walk(n, path):
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                walk(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, f"{path}[{i}]")

    if node is not None:
        walk(node, "")
    return document, lines


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class _Checker:
    """Walks the document, collecting every error and returning the cleaned values."""

    def __init__(self, lines):
        self.lines = lines
        self.errors: list[LineError] = []

    def error(self, path: str, value, reason: str) -> None:
        line = self.lines.get(path) or self.lines.get(path.rsplit(".", 1)[0]) or self.lines.get("")
        self.errors.append(LineError(line, path, "" if value is None else str(value), reason))

    def text(self, data, key, path, *, required=True, max_length=200, pattern=None):
        value = data.get(key) if isinstance(data, dict) else None
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            if required:
                self.error(where, None, "required")
            return ""
        if not isinstance(value, str | int):
            self.error(where, value, "must be text")
            return ""
        value = str(value).strip()
        if len(value) > max_length:
            self.error(where, value, f"longer than {max_length} characters")
        elif pattern and not pattern.match(value):
            self.error(where, value, "must be a lowercase slug (letters, digits, - and _)")
        return value

    def check(self, where, value, reason):
        if reason:
            self.error(where, value, reason)

    def validated(self, validator, where, value):
        """Runs a model field's validator; its message is the reason."""
        try:
            validator(value)
        except ValidationError as exc:
            self.error(where, value, "; ".join(str(m) for m in exc.messages))

    def tenant(self, doc) -> dict | None:
        if not isinstance(doc, dict):
            self.error("", None, "the file must describe one tenant as a mapping")
            return None
        profile = self.text(doc, "profile", "", max_length=4)
        if profile and profile not in CountryProfile.values:
            self.error("profile", profile, "profile must be RU, SEPA or CH")
            profile = ""
        spec = {
            "code": self.text(doc, "code", "", max_length=50, pattern=_SLUG),
            "name": self.text(doc, "name", ""),
            "profile": profile,
            "currency": self.text(doc, "currency", "", max_length=3).upper(),
            "locale": self.text(doc, "locale", "", required=False, max_length=10) or "en",
            "timezone": self.text(doc, "timezone", "", required=False, max_length=64) or "UTC",
            "address": self.text(doc, "address", "", required=False, max_length=300),
        }
        country = COUNTRIES.get(profile)
        if country and spec["currency"] and spec["currency"] not in country.currencies:
            self.error(
                "currency",
                spec["currency"],
                f"the {profile} profile takes {' or '.join(sorted(country.currencies))}",
            )
        if spec["timezone"] not in zoneinfo.available_timezones():
            self.error("timezone", spec["timezone"], "unknown time zone")
        due_day = doc.get("due_day", 10)
        if not isinstance(due_day, int) or isinstance(due_day, bool) or not 1 <= due_day <= 28:
            self.error("due_day", due_day, "due_day must be a whole number from 1 to 28")
        spec["due_day"] = due_day
        tan = doc.get("tan_required", False)
        if not isinstance(tan, bool):
            self.error("tan_required", tan, "tan_required is true or false")
        spec["tan_required"] = tan is True
        spec["phone_region"] = self.text(
            doc, "phone_region", "", required=False, max_length=2
        ).upper()
        self.validated(validate_region, "phone_region", spec["phone_region"])
        spec["file_encoding"] = self.text(doc, "file_encoding", "", required=False, max_length=20)
        self.validated(validate_encoding, "file_encoding", spec["file_encoding"])
        spec.update(self.tax_ids(doc, "", country))
        spec.update(self.bank(doc.get("bank"), "bank", country))

        services = doc.get("services") or []
        if not isinstance(services, list):
            self.error("services", None, "services must be a list")
            services = []
        spec["services"] = [self.service(s, f"services[{i}]") for i, s in enumerate(services)]
        self.no_duplicates(spec["services"], "services")
        classifier = {s["code"] for s in spec["services"]} | set(
            Service.objects.filter(tenant__code=spec["code"]).values_list("code", flat=True)
        )
        suppliers = doc.get("suppliers") or []
        if not isinstance(suppliers, list):
            self.error("suppliers", None, "suppliers must be a list")
            suppliers = []
        spec["suppliers"] = [
            self.supplier(s, f"suppliers[{i}]", country, classifier)
            for i, s in enumerate(suppliers)
        ]
        self.no_duplicates(spec["suppliers"], "suppliers")
        return spec

    def no_duplicates(self, items, path):
        seen = {}
        for i, item in enumerate(items):
            code = item.get("code")
            if code and code in seen:
                self.error(f"{path}[{i}].code", code, f"duplicate code (also {path}[{seen[code]}])")
            seen.setdefault(code, i)

    def tax_ids(self, data, path, country: Country | None) -> dict:
        """INN and KPP where the country uses Russian details, else one tax id (also when the
        profile is missing or wrong: that error is reported already)."""
        prefix = f"{path}." if path else ""
        if not (country and country.uses_ru_bank_details):
            return {"tax_id": self.text(data, "tax_id", path, required=False, max_length=32)}
        inn = self.text(data, "inn", path, max_length=12)
        kpp = self.text(data, "kpp", path, required=len(inn) == 10, max_length=9)
        if inn:
            self.check(f"{prefix}inn", inn, v.inn_error(inn))
        if kpp:
            self.check(f"{prefix}kpp", kpp, v.kpp_error(kpp))
        return {"inn": inn, "kpp": kpp}

    def bank(self, data, path, country: Country | None) -> dict:
        if not isinstance(data, dict):
            self.error(path, None, "bank details are required")
            return {}
        russian = bool(country and country.uses_ru_bank_details)
        name = self.text(data, "name", path, required=russian)
        if russian:
            bic = self.text(data, "bic", path, max_length=9)
            account = self.text(data, "account", path, max_length=20)
            corr = self.text(data, "corr_account", path, max_length=20)
            self.check(f"{path}.bic", bic, bic and v.ru_bic_error(bic))
            self.check(
                f"{path}.account", account, account and v.ru_settlement_account_error(bic, account)
            )
            self.check(f"{path}.corr_account", corr, corr and v.ru_corr_account_error(bic, corr))
            return {"bank_name": name, "bic": bic, "bank_account": account, "corr_account": corr}
        iban = self.text(data, "iban", path, max_length=42).replace(" ", "").upper()
        bic = self.text(data, "bic", path, required=False, max_length=11).upper()
        if iban:
            countries = country.iban_countries if country else None
            self.check(f"{path}.iban", iban, v.iban_error(iban, countries=countries))
        if bic:
            self.check(f"{path}.bic", bic, v.bic_error(bic))
        return {"bank_name": name, "iban": iban, "bic": bic}

    def service(self, data, path) -> dict:
        if not isinstance(data, dict):
            self.error(path, None, "a service must be a mapping {code, name, unit}")
            return {}
        return {
            "code": self.text(data, "code", path, max_length=50),
            "name": self.text(data, "name", path),
            "unit": self.text(data, "unit", path, required=False, max_length=20),
        }

    def supplier(self, data, path, country: Country | None, classifier) -> dict:
        if not isinstance(data, dict):
            self.error(path, None, "a supplier must be a mapping")
            return {}
        spec = {
            "code": self.text(data, "code", path, max_length=50, pattern=_SLUG),
            "name": self.text(data, "name", path),
            **self.tax_ids(data, path, country),
            **self.bank(data.get("bank"), f"{path}.bank", country),
            **self.commission(data.get("commission") or {}, f"{path}.commission"),
        }
        webhook = data.get("webhook_url") or ""
        if webhook:
            try:
                URLValidator(schemes=["http", "https"])(webhook)
            except ValidationError:
                self.error(f"{path}.webhook_url", webhook, "not an http(s) URL")
        spec["webhook_url"] = webhook
        spec["flows"] = self.flows(data, path)
        codes = data.get("service_codes") or {}
        if not isinstance(codes, dict):
            self.error(
                f"{path}.service_codes", None, "service_codes must map the supplier's codes to ours"
            )
            codes = {}
        for external, ours in codes.items():
            if str(ours) not in classifier:
                self.error(
                    f"{path}.service_codes.{external}",
                    ours,
                    "mapped to no entry of the service classifier",
                )
        spec["service_codes"] = {str(k): str(val) for k, val in codes.items()}
        return spec

    def flows(self, data, path) -> list[dict] | None:
        """The supplier's reporting flows: `flows:` (a list of {format, interval, send_empty,
        delivery, email_to}), or the shorthand `registry_format: csv` (one daily download flow;
        `pain001` names the payout's payment order). Neither key: the flows stay as they are."""
        if "flows" in data:
            items = data.get("flows") or []
            if not isinstance(items, list):
                self.error(f"{path}.flows", None, "flows must be a list")
                return None
            return [self.flow(item, f"{path}.flows[{i}]") for i, item in enumerate(items)]
        if "registry_format" not in data:
            return None
        legacy = {"pain001": FlowFormat.PAYOUT}
        shorthand = data.get("registry_format") or FlowFormat.CSV
        return [self.flow({"format": legacy.get(shorthand, shorthand)}, f"{path}.registry_format")]

    def flow(self, data, path) -> dict:
        if not isinstance(data, dict):
            self.error(path, None, "a flow must be a mapping {format, interval, delivery, ...}")
            return {}
        flow = {}
        for key, choices, default in (
            ("format", FlowFormat, FlowFormat.CSV),
            ("interval", FlowInterval, FlowInterval.DAILY),
            ("delivery", FlowDelivery, FlowDelivery.DOWNLOAD),
        ):
            value = data.get(key) or default
            if value not in choices.values:
                self.error(
                    f"{path}.{key}", value, f"{key} must be one of {', '.join(choices.values)}"
                )
            flow[key] = value
        flow["send_empty"] = data.get("send_empty") is True
        flow["email_to"] = self.text(data, "email_to", path, required=False, max_length=500)
        if flow["delivery"] == FlowDelivery.EMAIL and not flow["email_to"]:
            self.error(f"{path}.email_to", None, "an e-mail flow needs email_to")
        if flow["delivery"] == FlowDelivery.SFTP:
            self.error(
                f"{path}.delivery", "sftp", "SFTP flows carry credentials: set them up in the admin"
            )
        return flow

    def commission(self, data, path) -> dict:
        if not isinstance(data, dict):
            self.error(path, None, "commission must be a mapping {percent, fixed, min, max}")
            return {}
        result = {}
        for key, field, parse in (
            ("percent", "commission_percent", percent),
            ("fixed", "commission_fixed", to_minor),
            ("min", "commission_min", to_minor),
            ("max", "commission_max", to_minor),
        ):
            raw = data.get(key)
            if raw is None:
                result[field] = None if key == "max" else parse("0")
                continue
            try:
                value = parse(str(raw))
            except (ValueError, ArithmeticError):
                self.error(
                    f"{path}.{key}",
                    raw,
                    'must be a non-negative amount in major units, e.g. "1.50"',
                )
                continue
            if not isinstance(value, int) or value >= 0:
                result[field] = value
            else:
                self.error(f"{path}.{key}", raw, "must not be negative")
        if result.get("commission_max") is not None and result["commission_max"] < (
            result.get("commission_min") or 0
        ):
            self.error(f"{path}.max", data.get("max"), "max must not be below min")
        return result


def _flows_write(supplier: Supplier, flows: list[dict]) -> None:
    """The file names the supplier's flows: these are active (one of the same format, interval
    and delivery is updated), every other is switched off (kept: its files stay readable)."""
    kept = []
    for flow in flows:
        key = {k: flow[k] for k in ("format", "interval", "delivery")}
        rest = {k: val for k, val in flow.items() if k not in key}
        row, _ = SupplierFlow.objects.update_or_create(
            supplier=supplier, **key, defaults={**rest, "active": True}
        )
        kept.append(row.pk)
    for flow in supplier.flows.exclude(pk__in=kept).filter(active=True):
        flow.active = False
        flow.save(update_fields=["active"])  # one by one: the change history records each


@transaction.atomic(durable=True)
def _write(spec: dict, *, actor, filename) -> TenantSetupResult:
    tenant_fields = {k: spec[k] for k in spec if k not in ("code", "services", "suppliers")}
    tenant, created = Tenant.objects.update_or_create(code=spec["code"], defaults=tenant_fields)
    for service in spec["services"]:
        Service.objects.update_or_create(tenant=tenant, code=service["code"], defaults=service)
    services = dict(Service.objects.filter(tenant=tenant).values_list("code", "id"))
    for item in spec["suppliers"]:
        fields = {k: val for k, val in item.items() if k not in ("code", "service_codes", "flows")}
        supplier, _ = Supplier.objects.update_or_create(
            tenant=tenant, code=item["code"], defaults=fields
        )
        if item["flows"] is not None:
            _flows_write(supplier, item["flows"])
        for external, ours in item["service_codes"].items():
            SupplierServiceCode.objects.update_or_create(
                supplier=supplier,
                external_code=external,
                defaults={"tenant": tenant, "service_id": services[ours]},
            )
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="tenant.created" if created else "tenant.updated",
        detail={
            "file": filename,
            "services": len(spec["services"]),
            "suppliers": len(spec["suppliers"]),
        },
    )
    return TenantSetupResult(tenant, created, len(spec["services"]), len(spec["suppliers"]))
