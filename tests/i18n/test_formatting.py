"""Periods, days and numbers on pages are written in the reader's language, each by one helper
(`core.dates`, `core.templatetags.periods`)."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(text: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load periods %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "shown"),
    [("ru", "ноябрь 2026"), ("en", "November 2026"), ("de", "November 2026")],
)
def test_a_period_is_named_by_its_month_in_the_nominative(language, shown):
    assert render("{{ p|period_label }}", language, p="2026-11") == shown
    assert render("{{ d|period_label }}", language, d=date(2026, 11, 5)) == shown


def test_a_value_that_is_no_period_comes_back_as_given():
    assert render("{{ p|period_label }}", "ru", p="2026-13") == "2026-13"
    assert render("{{ p|period_label }}", "ru", p=None) == ""


@pytest.mark.parametrize(
    ("language", "shown"), [("ru", "05.11.2026"), ("de", "05.11.2026"), ("en", "5 Nov 2026")]
)
def test_a_day_is_written_as_the_readers_language_writes_it(language, shown):
    assert render("{{ d|day }}", language, d=date(2026, 11, 5)) == shown


def test_numbers_take_the_readers_grouping_and_decimal_sign():
    assert render("{{ n|number }}", "ru", n=1234567) == "1\xa0234\xa0567"
    assert render("{{ n|number:2 }}", "ru", n=Decimal("1234.5")) == "1\xa0234,50"
    assert render("{{ n|number:2 }}", "en", n=Decimal("1234.5")) == "1,234.50"
    assert render("{{ n|number }}", "ru", n="n/a") == "n/a"


def test_a_language_code_is_named_in_the_readers_language():
    assert render("{{ c|language_label }}", "ru", c="de") == "Немецкий"
    assert render("{{ c|language_label }}", "en", c="de-CH") == "German"
    assert render("{{ c|language_label }}", "ru", c="xx") == "xx"
