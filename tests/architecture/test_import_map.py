"""The house follows its map (DESIGN.md, "Dependencies"): this walks every non-test module's
imports — top-level and function-local — and fails on an arrow between apps that the map does
not allow, and on an import of another app's views (`views`, `views/…`, `*_views`, `api`) or of
a private name (`_name`). Nothing is exempt: a new arrow means a new line in `ALLOWED` and in
DESIGN.md, with the reason."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUND = {"core", "integrations"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "integrations": {"core"},
    "warehouse": {"core", "integrations"},
    "invoicing": {"warehouse", "core", "integrations"},
    "splitting": {"invoicing", "warehouse", "core", "integrations"},
    "messaging": {"warehouse", "core", "integrations"},
    "wallets": {"messaging", "splitting", "invoicing", "warehouse", "core", "integrations"},
    "debt_collection": {"messaging", "splitting", "invoicing", "warehouse", "core", "integrations"},
    "cabinet": {
        "debt_collection",
        "wallets",
        "messaging",
        "splitting",
        "invoicing",
        "warehouse",
        "core",
        "integrations",
    },
}
TOP = {"config", "demo"}  # may import every app; nothing imports them
APPS = set(ALLOWED) | TOP


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in APPS or "migrations" in parts:
            continue
        name = ".".join(parts)[: -len(".py")].removesuffix(".__init__")
        yield path, parts[0], name


def _imports(path: Path, module: str):
    """(line, imported module, imported name or None) for every import of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                yield node.lineno, base, alias.name


def _is_view_module(dotted: str) -> bool:
    parts = dotted.split(".")[1:]
    return any(p in ("views", "api") or p.endswith("_views") for p in parts)


def _violations():
    for path, app, module in _modules():
        where = path.relative_to(ROOT)
        for line, target, name in _imports(path, module):
            other = target.split(".")[0]
            if other not in APPS or other == app:
                continue
            if other in TOP:
                if app not in TOP or other == "demo":
                    yield f"{where}:{line}: {app} imports {target} (the top layer)"
                continue
            if app not in TOP and other not in ALLOWED[app]:
                yield f"{where}:{line}: {app} may not import {other} ({target})"
            full = f"{target}.{name}" if name else target
            if _is_view_module(target) or (name and _is_view_module(full)):
                yield f"{where}:{line}: {app} imports a view module of {other} ({full})"
            elif any(p.startswith("_") and not p.startswith("__") for p in full.split(".")):
                yield f"{where}:{line}: {app} imports a private name of {other} ({full})"


def test_every_import_between_apps_follows_the_map():
    assert list(_violations()) == []


def test_the_walker_sees_function_local_and_relative_imports(tmp_path):
    """The walker itself: a function-local import and a relative one are both found."""
    source = tmp_path / "__init__.py"
    source.write_text("def f():\n    from splitting.views.payments import x\nfrom . import y\n")
    found = list(_imports(source, "warehouse.demo"))
    assert (2, "splitting.views.payments", "x") in found
    assert (3, "warehouse.demo", "y") in found
    assert _is_view_module("splitting.views.payments") and _is_view_module("cabinet.bill_views")
    assert not _is_view_module("splitting.core.payments")


def test_the_ground_imports_no_domain_app():
    """core and integrations stand on nothing of ours (core not even on integrations)."""
    assert ALLOWED["core"] == set() and ALLOWED["integrations"] == {"core"}
    assert all(allowed >= GROUND for app, allowed in ALLOWED.items() if app not in GROUND)
