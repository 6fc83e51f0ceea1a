"""Shared steps of the per-role browser tests (tests/e2e/test_roles_browser.py): a page in one
language, signing in as a person does, and the labels a test looks for, taken from the
catalogue rather than written out.

`Labels(lang)` answers `t("Debt cases")` with the catalogue's text under
`translation.override(lang)`; a msgid the Russian catalogue does not translate is noted (and
the English text returned, so the run goes on and names every gap): `labels.assert_complete()`
at the end of a test fails with the list, so a missing translation fails the Russian run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.trans_real import CONTEXT_SEPARATOR
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# The browser's locale per language: it sends Accept-Language, and the language cookie says
# the same, so the page is in `lang` whichever of the two Django reads first.
LOCALES = {"en": "en-US", "ru": "ru-RU"}
LANGUAGE_COOKIE = "django_language"
NBSP = "\u00a0"
# Latin words a Russian page's header may show: the brand and the language switch's codes.
HEADER_LATIN = {"Unibill", "EN", "RU", "DE"}


@dataclass
class Labels:
    lang: str
    missing: list[str] = field(default_factory=list)
    english: dict[str, set[str]] = field(default_factory=dict)  # word → the pages' paths

    def t(self, msgid: str, *, context: str | None = None, **values) -> str:
        """The page's text for `msgid` in this language (formatted with `values`, as the view
        formats it)."""
        with translation.override(self.lang):
            text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
        if self.lang != "en" and not translated(self.lang, msgid, context):
            self.missing.append(f"{context}|{msgid}" if context else msgid)
        return text % values if values else text

    def on_page(self, page: Page) -> None:
        """The page answers in this language: `<html lang>`, and its header."""
        expect_language(page, self.lang)
        self.check_header(page)

    def check_header(self, page: Page) -> None:
        """The header and the navigation (every page has them) are in this language: on a
        Russian page, any Latin-script word there but the brand and the language codes is
        noted as English left over."""
        if self.lang == "en":
            return
        text = page.locator("header.site-header").inner_text()
        words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", text)) - HEADER_LATIN
        names = page.locator(".user-name")  # a Latin username (the wallet factories' users)
        if names.count():
            words -= set(re.findall(r"[A-Za-z][A-Za-z'-]+", names.inner_text()))
        path = urlsplit(page.url).path
        for word in words:
            self.english.setdefault(word, set()).add(path)

    def assert_complete(self) -> None:
        gaps = [f"no {self.lang} translation of {m!r}" for m in dict.fromkeys(self.missing)]
        gaps += [
            f"English left in the header: {word!r} (on {', '.join(sorted(paths))})"
            for word, paths in sorted(self.english.items())
        ]
        assert not gaps, "\n".join(gaps)


def translated(lang: str, msgid: str, context: str | None = None) -> bool:
    """Whether the catalogue of `lang` has a translation of `msgid` (one the same as the msgid,
    like "%(count)s × %(fee)s", counts; an untranslated or fuzzy entry does not)."""
    key = f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid
    # Django's merged catalogue of the language (its own, the apps', LOCALE_PATHS), without the
    # fallback to the default language that gettext() would answer from.
    return key in trans_real.translation(lang)._catalog


def open_context(browser, base_url: str, lang: str, viewport: dict):
    """A browser context that asks for `lang`, as a person whose browser speaks it."""
    context = browser.new_context(base_url=base_url, viewport=viewport, locale=LOCALES[lang])
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": base_url}])
    context.set_default_timeout(15_000)
    return context


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in(page: Page, login: str, *, url: str = "/staff/login/", field: str = "#id_username"):
    """The sign-in page filled in and sent with Enter in the password field (the header's
    language form has a submit button of its own)."""
    page.goto(url)
    page.fill(field, login)
    password = page.locator("#id_password")
    password.fill(PASSWORD)
    with page.expect_navigation():
        password.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def money(text: str) -> str:
    """An amount as the pages print it in both languages: "1 500,00 ₽" with no-break spaces."""
    return text.replace(" ", NBSP)
