"""A same-site spider for the Russian crawl: breadth-first from a role's start pages, GET only,
visiting every page a signed-in user can reach by a link or a parameterless GET form, and
reading each HTML page's visible text (text nodes and the attributes a reader reads) for words
in Latin script that are not names, codes or data (`allowed_latin`)."""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from django.urls import Resolver404, resolve

# Where the spider does not go, each for a reason:
SKIPPED_PREFIXES = (
    "/admin/",  # Django's admin: its own screens are Django's catalogue, not Unibill's
    "/api/",  # the JSON API and its schema/Swagger pages: machine-facing, English by design
    "/i18n/",  # the language switch's POST endpoint
    "/static/",
    "/media/",
    "/sandbox-acquirer/",  # a stand-in for the outside acquirer's hosted page, not our UI
)
SKIPPED_PATHS = ("/staff/logout/", "/logout/")  # signing out would end the crawl

# The attributes whose text a reader sees (tooltips, placeholders, screen readers, buttons,
# confirmation dialogs).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "hx-confirm", "data-confirm")
LATIN = re.compile(r"[A-Za-z]")
TOKEN_EDGES = "«»()[]{}<>,.;:!?\"'“”„’‘*…–—|"
IDENTIFIER = re.compile(r"^([A-Z][a-z]+/[A-Z][A-Za-z_]+|[a-z]+(\.[a-z_]+)+)$")
FILE_NAME = re.compile(r"\.(pdf|csv|xlsx|xls|docx|xml|txt|zip|json|png|svg)$", re.I)


@dataclass
class Finding:
    url: str
    words: list[str]
    snippets: list[str]


@dataclass
class Crawl:
    role: str
    pages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, status or exception)
    names: set[str] = field(default_factory=set)  # the URL names of the HTML pages read


# Values the page sets in code type (`class="code"`/`"mono"`: a field's name in the change
# history, the old and new values a row held) are machine values, like <code>.
CODE_STYLED = " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    for name in ("code", "mono")
)


def visible_texts(content: bytes) -> list[str]:
    """The page's text as a reader meets it: text nodes outside script/style/template, the
    `<title>`, the read attributes and the captions of submit/button inputs."""
    document = lxml.html.fromstring(content)
    # Not the page's own words: scripts and styles; code (<code>, <kbd>, <samp>: column names,
    # identifiers); what a form field holds (a template body being edited is the tenant's
    # text); and content marked as another language (a German tenant's bill is German).
    dropped = "//script|//style|//template|//code|//kbd|//samp|//textarea|" + CODE_STYLED
    foreign = "//*[@lang and not(starts-with(@lang, 'ru'))][not(self::html)]"
    for element in document.xpath(f"{dropped}|{foreign}"):
        element.drop_tree()
    texts = [text for text in document.itertext() if text.strip()]
    for attribute in READ_ATTRIBUTES:
        texts += document.xpath(f"//@{attribute}")
    texts += document.xpath("//input[@type='submit' or @type='button' or @type='reset']/@value")
    return [re.sub(r"\s+", " ", str(text)).strip() for text in texts if str(text).strip()]


def is_allowed_token(token: str, allowed_words: set[str]) -> bool:
    """A Latin token a Russian page may show: a code, an identifier, a URL, an e-mail, a file
    name, an acronym, or a word of the data's own names (`allowed_words`, lower case)."""
    if token.rstrip(TOKEN_EDGES.replace("*", "")).endswith("*"):  # a masked name: "P. Ho***"
        return True
    word = token.strip(TOKEN_EDGES)
    if not LATIN.search(word):
        return True
    if any(ch.isdigit() for ch in word):  # codes, ids, periods, units with a digit (m3)
        return True
    if "@" in word or "://" in word or word.startswith(("www.", "/")):  # e-mails, URLs, paths
        return True
    if any(mark in word for mark in "_{}%"):  # identifiers (service_code), template syntax
        return True
    if IDENTIFIER.match(word):  # time zones (Europe/Berlin), event names (charges.posted)
        return True
    if FILE_NAME.search(word):
        return True
    letters = re.sub(r"[^A-Za-z]", "", word)
    if letters.isupper() and (len(letters) <= 6 or "-" in word):
        return True  # acronyms (PDF, CSV, QR, SEPA, IBAN, EUR) and codes (DEMO-WALLET-DEMO-EU)
    parts = [part for part in re.split(r"[^\w]+", word.lower()) if part]
    return all(part in allowed_words or not LATIN.search(part) for part in parts)


TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")  # a letter template's placeholders


def latin_words(
    texts: list[str], allowed_words: set[str], data: tuple[str, ...] = ()
) -> tuple[list[str], list[str]]:
    """The Latin words of `texts` no rule allows, and the texts they stand in. `data`: whole
    values of the data (a payer's name, an address), taken out of a text before its words are
    read — so "Mia Meyer" passes where it is a name, not "Meyer" anywhere."""
    words, snippets = [], []
    for text in texts:
        rest = TEMPLATE_SYNTAX.sub(" ", text)
        for value in data:
            if value in rest:  # a whole value, not a piece of an e-mail or a longer word
                rest = re.sub(rf"(?<![\w@./-]){re.escape(value)}(?![\w@/-]|\.\w)", " ", rest)
        bad = [
            token.strip(TOKEN_EDGES)
            for token in rest.split()
            if not is_allowed_token(token, allowed_words)
        ]
        if bad:
            words += bad
            snippets.append(text[:160])
    return words, snippets


def links_of(content: bytes, base: str) -> list[str]:
    document = lxml.html.fromstring(content)
    targets = document.xpath("//a/@href") + document.xpath("//@hx-get")
    targets += document.xpath(
        "//form[not(@method) or translate(@method,'GET','get')='get']/@action"
    )
    return [urljoin(base, str(target)) for target in targets]


def same_site_path(url: str) -> str | None:
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path in SKIPPED_PATHS:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(
    client,
    role: str,
    starts: list[str],
    allowed_words: set[str],
    data: tuple[str, ...] = (),
    *,
    max_pages: int = 400,
    per_name: int = 3,
) -> Crawl:
    """Breadth-first from `starts`; each resolved URL name is visited at most `per_name` times
    (a list of a thousand accounts shows the same page a thousand times)."""
    result = Crawl(role)
    queue = deque(starts)
    seen: set[str] = set()
    per_url_name: Counter = Counter()
    while queue and len(result.pages) < max_pages:
        url = same_site_path(queue.popleft())
        if url is None or url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if per_url_name[name] >= per_name:
            continue
        per_url_name[name] += 1
        try:
            response = client.get(url)
        except Exception as error:  # noqa: BLE001 — a crash is a finding, reported with the rest
            result.errors.append((url, f"{type(error).__name__}: {error}"[:300]))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(urljoin(url, response["Location"]))
            continue
        if response.status_code >= 500:
            result.errors.append((url, str(response.status_code)))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # downloads: PDF, XLSX, CSV…
        if getattr(response, "streaming", False):
            continue
        result.pages.append(url)
        result.names.add(name)
        content = response.content
        if not content.strip():
            continue
        words, snippets = latin_words(visible_texts(content), allowed_words, data)
        if words:
            result.findings.append(Finding(url, words, snippets))
        queue.extend(links_of(content, url))
    return result
