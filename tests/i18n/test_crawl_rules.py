"""The crawl's reading of a page: what counts as the page's own words, and which Latin words a
Russian page may show."""

from tests.i18n.crawl import latin_words, links_of, visible_texts

PAGE = b"""<html lang="ru"><head><title>Pay now</title><script>var English = 1;</script></head>
<body><h1>Reestr</h1><p title="Tooltip text">Oplata <code>service_code</code></p>
<article lang="de">Sammelrechnung</article><input type="submit" value="Send">
<textarea>Dear debtor</textarea><a href="/staff/?page=2">2</a><form method="get" action="/find/">
</form><form method="post" action="/change/"></form></body></html>"""


def test_the_page_text_is_what_a_reader_reads():
    texts = visible_texts(PAGE)

    assert {"Pay now", "Reestr", "Oplata", "Tooltip text", "Send"} <= set(texts)
    assert not {"service_code", "Sammelrechnung", "Dear debtor"} & set(texts)
    assert not any("English" in text for text in texts)


def test_english_words_are_found_and_names_codes_and_addresses_pass():
    words, snippets = latin_words(
        [
            "Оплатить now",
            "Счёт 5100000007 · PDF · IBAN DE89370400440532013000 · RUB",
            "Письмо на buh@vodokanal.example, файл registry-12.xlsx",
            "Плательщик Mia Meyer",
            "Meyer",
        ],
        {"unibill"},
        ("Mia Meyer", "vodokanal"),
    )

    assert words == ["now", "Meyer"]
    assert snippets == ["Оплатить now", "Meyer"]


def test_links_and_get_forms_are_followed_not_post_forms():
    assert links_of(PAGE, "/staff/") == ["/staff/?page=2", "/find/"]
