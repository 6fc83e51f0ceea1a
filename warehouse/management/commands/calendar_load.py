"""`calendar_load --year 2028 --source "Постановление Правительства РФ от … № …" FILE`: adds a
year of the Russian production calendar from a published file (xmlcalendar.ru XML, or the
data.gov.ru CSV), so due dates move off its non-working days (ГК РФ ст. 193). The file is read
whole before anything is written; a bad one changes nothing. Days already there stay."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from warehouse.calendar_files import parse_datagov_csv, parse_xmlcalendar
from warehouse.legal_seed import calendar_year_save
from warehouse.models import CalendarDay


class Command(BaseCommand):
    help = (
        "Adds a year of the Russian production calendar from an xmlcalendar.ru or data.gov.ru file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--source", required=True, help="the Government's resolution on moving days off"
        )
        parser.add_argument("--url", default="", help="where the resolution is published")

    def handle(self, *args, file: Path, year: int, source: str, url: str, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}", returncode=2)
        data = file.read_bytes()
        parse = parse_datagov_csv if file.suffix.lower() == ".csv" else parse_xmlcalendar
        try:
            entry = parse(data, year=year)
        except ValueError as exc:
            raise CommandError(f"{file}: {exc}", returncode=1) from exc
        with transaction.atomic():
            added = calendar_year_save(CalendarDay, "RU", year, entry, source, url)
        self.stdout.write(
            f"Production calendar {year}: {added} days added "
            f"({entry['working_days_total']} working days)."
        )
