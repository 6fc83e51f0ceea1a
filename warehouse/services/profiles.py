"""`profiles_setup`: mapping profiles from YAML or JSON, created or updated by name.

```yaml
profiles:
  - name: vodokanal-export
    supplier: vodokanal
    format: csv                # csv | xlsx | sql
    encoding: cp1251           # blank: detect UTF-8 / Windows-1251
    separator: ";"             # blank: detect
    decimal_mark: ","          # blank: detect per file
    columns: {supplier_account: ЛицевойСчет, service_code: КодУслуги, amount: 6}
    service_map: {"Холодная вода": ХВС}
    constants: {kind: regular}
```
"""

import codecs

import yaml
from django.db import transaction

from warehouse.models import AuditEvent, MappingProfile, SourceFormat, Supplier, Tenant
from warehouse.reports import FileRejected, LineError
from warehouse.services.charge_rows import CANONICAL

_TEXT_FIELDS = {
    "sheet": 100,
    "encoding": 20,
    "separator": 1,
    "decimal_mark": 1,
    "date_format": 20,
    "sql_url": 500,
}


@transaction.atomic(durable=True)
def profiles_setup(*, tenant: Tenant, data: bytes, actor=None) -> list[MappingProfile]:
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FileRejected(
            [LineError(None, "file", "", f"not valid UTF-8 YAML/JSON: {exc}")]
        ) from exc
    items = (
        document.get("profiles")
        if isinstance(document, dict) and "profiles" in document
        else (document if isinstance(document, list) else [document])
    )
    suppliers = {s.code: s for s in Supplier.objects.filter(tenant=tenant)}
    errors, specs = [], []
    for index, item in enumerate(items or []):
        spec = _check(item, f"profiles[{index}]", suppliers, errors)
        if spec:
            specs.append(spec)
    if errors:
        raise FileRejected(errors)
    profiles = []
    for spec in specs:
        name = spec.pop("name")
        profile, _ = MappingProfile.objects.update_or_create(
            tenant=tenant, name=name, defaults=spec
        )
        profiles.append(profile)
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="profiles.saved",
        detail={"profiles": [p.name for p in profiles]},
    )
    return profiles


def _check(item, path: str, suppliers: dict[str, Supplier], errors: list[LineError]):
    def error(field, value, reason):
        errors.append(
            LineError(None, f"{path}.{field}", "" if value is None else str(value), reason)
        )

    if not isinstance(item, dict):
        error("", None, "a profile must be a mapping")
        return None
    spec = {"name": str(item.get("name") or "")}
    if not spec["name"]:
        error("name", None, "required")
    supplier = suppliers.get(str(item.get("supplier") or ""))
    if supplier is None:
        error("supplier", item.get("supplier"), "no such supplier in this tenant")
    spec["supplier"] = supplier
    source_format = item.get("format") or SourceFormat.CSV
    if source_format not in SourceFormat.values:
        error("format", source_format, f"format must be one of {', '.join(SourceFormat.values)}")
    spec["source_format"] = source_format
    for field, limit in _TEXT_FIELDS.items():
        value = item.get(field)
        value = "" if value is None else str(value)
        if len(value) > limit:
            error(field, value, f"longer than {limit} characters")
        spec[field] = value
    if spec["encoding"]:
        try:
            codecs.lookup(spec["encoding"])
        except LookupError:
            error("encoding", spec["encoding"], "unknown encoding")
    if spec["decimal_mark"] not in ("", ".", ","):
        error("decimal_mark", spec["decimal_mark"], "decimal_mark is . or , (blank: detect)")
    columns = item.get("columns") or {}
    if not isinstance(columns, dict):
        error("columns", None, "columns map canonical names to headers or positions")
        columns = {}
    for key, value in columns.items():
        if key not in CANONICAL:
            error(f"columns.{key}", value, f"not a canonical column ({', '.join(CANONICAL)})")
        elif not (isinstance(value, str) and value.strip()) and not (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            error(f"columns.{key}", value, "a header name or a 1-based column position")
    spec["columns"] = columns
    for field in ("service_map", "constants"):
        value = item.get(field) or {}
        if not isinstance(value, dict):
            error(field, None, "must be a mapping")
            value = {}
        spec[field] = {str(k): str(v) for k, v in value.items()}
    for key in spec["constants"]:
        if key not in CANONICAL:
            error(f"constants.{key}", spec["constants"][key], "not a canonical column")
    skip_rows = item.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or isinstance(skip_rows, bool) or skip_rows < 0:
        error("skip_rows", skip_rows, "a whole number ≥ 0")
        skip_rows = 0
    spec["skip_rows"] = skip_rows
    spec["has_header"] = bool(item.get("has_header", True))
    spec["sql_query"] = str(item.get("sql_query") or "")
    if source_format == SourceFormat.SQL and not (spec["sql_url"] and spec["sql_query"]):
        error("sql_url", spec["sql_url"], "a SQL profile needs sql_url and sql_query")
    return spec
