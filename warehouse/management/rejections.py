"""How commands show a rejected file: the first problems on stderr, the full per-line report
written as CSV (its path printed), and exit status 1."""

import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings

from warehouse.reports import FileRejected, LineError, report_csv

SHOWN = 20


def write_report(errors: list[LineError], *, source: str) -> Path:
    folder = Path(settings.VAR_DIR) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{Path(source).stem}-{stamp}-rejected.csv"
    path.write_text(report_csv(errors), encoding="utf-8")
    return path


def exit_rejected(command, exc: FileRejected, *, source: str) -> None:
    path = write_report(exc.errors, source=source)
    command.stderr.write(f"REJECTED {source}: {len(exc.errors)} problem(s); nothing was written.")
    for error in exc.errors[:SHOWN]:
        command.stderr.write(f"  {error}")
    if len(exc.errors) > SHOWN:
        command.stderr.write(f"  … and {len(exc.errors) - SHOWN} more")
    command.stderr.write(f"Report: {path}")
    sys.exit(1)
