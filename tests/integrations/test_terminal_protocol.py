"""The payment-terminal check/pay protocol (QIWI/OSMP): request parsing, XML answers per code table,
the processor-side client against a real HTTP server, payer-name masking. No database."""

import base64
import threading
import xml.etree.ElementTree as ET
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict

from integrations.terminals import (
    OSMP,
    SBER_ONLINE,
    TABLES,
    CodeTable,
    Outcome,
    RequestError,
    TerminalAnswer,
    TerminalClient,
    TerminalRequest,
    TransportError,
    format_sum,
    mask_name,
    parse_answer,
    parse_request,
    render_answer,
)
from integrations.terminals.client import AnswerError

CHECK = {"command": "check", "txn_id": "1234567", "account": "0012345", "sum": "5123.45"}
PAY = {**CHECK, "command": "pay", "txn_date": "20240115123005"}


def refused(params, **kwargs) -> RequestError:
    with pytest.raises(RequestError) as info:
        parse_request(params, **kwargs)
    return info.value


# --- parse_request -------------------------------------------------------------------------------


def test_parse_good_check():
    assert parse_request(CHECK) == TerminalRequest(
        command="check", txn_id="1234567", account="0012345", amount=512345, txn_date=None
    )


def test_parse_good_pay_with_naive_local_date():
    request = parse_request(PAY)
    assert request.command == "pay"
    assert request.amount == 512345
    assert request.txn_date == datetime(2024, 1, 15, 12, 30, 5)
    assert request.txn_date.tzinfo is None


def test_parse_accepts_a_django_querydict_and_keeps_contract_extras():
    params = QueryDict(
        "command=pay&txn_id=99&account=7&sum=10&txn_date=20240229235959&prv_id=42", mutable=False
    )
    request = parse_request(params)
    assert (request.txn_id, request.amount) == ("99", 1000)
    assert request.txn_date == datetime(2024, 2, 29, 23, 59, 59)
    assert dict(request.extra) == {"prv_id": "42"}


def test_check_ignores_txn_date():
    assert parse_request({**CHECK, "txn_date": "garbage"}).txn_date is None


@pytest.mark.parametrize(
    ("raw", "minor"),
    [("100", 10000), ("100.5", 10050), ("100.50", 10050), ("0.01", 1), ("007.10", 710)],
)
def test_sum_accepted(raw, minor):
    assert parse_request({**CHECK, "sum": raw}).amount == minor


@pytest.mark.parametrize(
    "raw",
    ["1e3", "-5", "1,5", "+5", " 100", "100 ", "100.", ".5", "100.505", "abc", "５", "100.5\n"],
)
def test_malformed_sum_is_other(raw):
    error = refused({**CHECK, "sum": raw})
    assert error.outcome is Outcome.OTHER
    assert error.txn_id == "1234567"  # echoed in the error answer


def test_missing_sum_is_other():
    params = dict(CHECK)
    del params["sum"]
    assert refused(params).outcome is Outcome.OTHER
    assert refused({**CHECK, "sum": ""}).outcome is Outcome.OTHER


@pytest.mark.parametrize("raw", ["0.00", "0", "0.0"])
def test_zero_sum_is_too_small(raw):
    assert refused({**CHECK, "sum": raw}).outcome is Outcome.AMOUNT_TOO_SMALL


def test_absurd_sum_is_too_large():
    assert parse_request({**CHECK, "sum": "9" * 15 + ".99"}).amount == 10**17 - 1
    assert refused({**CHECK, "sum": "1" + "0" * 15}).outcome is Outcome.AMOUNT_TOO_LARGE


@pytest.mark.parametrize("command", [None, "", "CHECK", "refund", "status"])
def test_unknown_command_is_other(command):
    params = {k: v for k, v in CHECK.items() if k != "command"}
    if command is not None:
        params["command"] = command
    error = refused(params)
    assert error.outcome is Outcome.OTHER
    assert error.txn_id == "1234567"


@pytest.mark.parametrize("txn_id", [None, "", "abc", "1" * 21, "-1", "12 3", "١٢٣", "12\n"])
def test_bad_txn_id_is_other(txn_id):
    params = {k: v for k, v in CHECK.items() if k != "txn_id"}
    if txn_id is not None:
        params["txn_id"] = txn_id
    error = refused(params)
    assert error.outcome is Outcome.OTHER
    assert error.txn_id == ""  # nothing trustworthy to echo


def test_longest_txn_id_accepted():
    assert parse_request({**CHECK, "txn_id": "9" * 20}).txn_id == "9" * 20


@pytest.mark.parametrize("account", [None, "", "12a", "1" * 33, "123\n", "١٢٣", " 123", "12-3"])
def test_bad_account_format(account):
    params = {k: v for k, v in CHECK.items() if k != "account"}
    if account is not None:
        params["account"] = account
    error = refused(params)
    assert error.outcome is Outcome.BAD_ACCOUNT_FORMAT
    assert error.txn_id == "1234567"
    assert isinstance(error, ValueError)


def test_custom_account_pattern():
    pattern = r"[A-Z]{2}-\d{6}"
    assert parse_request({**CHECK, "account": "LS-000123"}, account_pattern=pattern).account == (
        "LS-000123"
    )
    for account in ("ls-000123", "LS-000123X", "0012345"):
        error = refused({**CHECK, "account": account}, account_pattern=pattern)
        assert error.outcome is Outcome.BAD_ACCOUNT_FORMAT


@pytest.mark.parametrize(
    "txn_date", [None, "", "2024011512300", "202401151230050", "20241315123005", "2024-01-15"]
)
def test_pay_needs_a_valid_txn_date(txn_date):
    params = {k: v for k, v in PAY.items() if k != "txn_date"}
    if txn_date is not None:
        params["txn_date"] = txn_date
    assert refused(params).outcome is Outcome.OTHER


# --- code tables and render_answer ---------------------------------------------------------------


def test_osmp_table_is_the_spec_table():
    assert dict(OSMP.codes) == {
        Outcome.OK: 0,
        Outcome.RETRY: 1,
        Outcome.BAD_ACCOUNT_FORMAT: 4,
        Outcome.ACCOUNT_NOT_FOUND: 5,
        Outcome.FORBIDDEN: 7,
        Outcome.TECHNICAL: 8,
        Outcome.ACCOUNT_INACTIVE: 79,
        Outcome.NOT_COMPLETED: 90,
        Outcome.AMOUNT_TOO_SMALL: 241,
        Outcome.AMOUNT_TOO_LARGE: 242,
        Outcome.CANNOT_CHECK: 243,
        Outcome.OTHER: 300,
    }
    assert {OSMP.codes[o] for o in OSMP.retry} == {1, 90}
    assert OSMP.is_retry(Outcome.NOT_COMPLETED) and not OSMP.is_retry(Outcome.OTHER)


def test_sber_online_differs_where_section_7_says():
    assert SBER_ONLINE.code(Outcome.ACCOUNT_NOT_FOUND) == 3
    assert SBER_ONLINE.code(Outcome.ACCOUNT_INACTIVE) == 5
    assert SBER_ONLINE.code(Outcome.TECHNICAL) == 7
    assert SBER_ONLINE.code(Outcome.OK) == 0
    assert TABLES == {"osmp": OSMP, "sber-online": SBER_ONLINE}


def test_a_table_must_cover_every_outcome():
    with pytest.raises(ValueError, match="account_not_found"):
        CodeTable(
            name="partial",
            codes={o: 1 for o in Outcome if o is not Outcome.ACCOUNT_NOT_FOUND},
            comments={o: "x" for o in Outcome},
            retry=frozenset(),
        )


@pytest.mark.parametrize("table", [OSMP, SBER_ONLINE], ids=lambda t: t.name)
def test_every_outcome_renders_the_tables_code(table):
    for outcome in Outcome:
        xml = render_answer(TerminalAnswer(outcome=outcome, txn_id="42"), table)
        root = ET.fromstring(xml)
        assert root.findtext("result") == str(table.codes[outcome]), outcome
        assert root.findtext("comment") == table.comments[outcome]
        assert root.findtext("osmp_txn_id") == "42"
        reply = parse_answer(xml)
        assert reply.result == table.codes[outcome]


def test_render_matches_the_spec_example_byte_for_byte():
    answer = TerminalAnswer(Outcome.OK, txn_id="1234567", prv_txn="98765", amount=512345)
    assert render_answer(answer) == (
        b'<?xml version="1.0" encoding="UTF-8"?><response><osmp_txn_id>1234567</osmp_txn_id>'
        b"<prv_txn>98765</prv_txn><sum>5123.45</sum><result>0</result><comment>OK</comment>"
        b"</response>"
    )


def test_render_leaves_out_empty_prv_txn_and_sum():
    root = ET.fromstring(render_answer(TerminalAnswer(Outcome.ACCOUNT_NOT_FOUND, txn_id="1")))
    assert [child.tag for child in root] == ["osmp_txn_id", "result", "comment"]
    assert root.findtext("result") == "5"


def test_render_fields_in_order_utf8():
    answer = TerminalAnswer(
        Outcome.OK,
        txn_id="7",
        amount=100,
        fields={"FIO": "И***** П. С.", "DEBT": "1234.50", "ADDRESS": "ул. Ленина, 1"},
    )
    xml = render_answer(answer)
    assert "И***** П. С.".encode() in xml
    root = ET.fromstring(xml)
    fields = root.find("fields")
    assert [(f.tag, f.get("name"), f.text) for f in fields] == [
        ("field1", "FIO", "И***** П. С."),
        ("field2", "DEBT", "1234.50"),
        ("field3", "ADDRESS", "ул. Ленина, 1"),
    ]


def test_render_escapes_text_and_drops_what_xml_cannot_carry():
    answer = TerminalAnswer(
        Outcome.OTHER,
        txn_id="1",
        comment='<b>Ли & Ко</b> "x"\x01',
        fields={'na"me<': "a & b <c>"},
    )
    xml = render_answer(answer)
    assert b"<b>" not in xml and b"\x01" not in xml
    assert b"&lt;b&gt;" in xml and b"&amp;" in xml
    reply = parse_answer(xml)
    assert reply.comment == '<b>Ли & Ко</b> "x"'
    assert reply.fields == {'na"me<': "a & b <c>"}


def test_comment_overrides_the_table():
    reply = parse_answer(render_answer(TerminalAnswer(Outcome.RETRY, "1", comment="Биллинг занят")))
    assert (reply.result, reply.comment) == (1, "Биллинг занят")


@pytest.mark.parametrize(
    ("minor", "text"), [(512345, "5123.45"), (1, "0.01"), (0, "0.00"), (100, "1.00"), (-5, "-0.05")]
)
def test_format_sum(minor, text):
    assert format_sum(minor) == text


@pytest.mark.parametrize("table", [OSMP, SBER_ONLINE], ids=lambda t: t.name)
@pytest.mark.parametrize(
    "answer",
    [
        TerminalAnswer(Outcome.OK, "1234567", prv_txn="98765", amount=512345),
        TerminalAnswer(Outcome.OK, "1", amount=1, fields={"FIO": "S**** J.", "DEBT": "0.00"}),
        TerminalAnswer(Outcome.AMOUNT_TOO_LARGE, "99999999999999999999", comment="max 15000.00"),
        TerminalAnswer(Outcome.OTHER, ""),
    ],
)
def test_parse_answer_round_trips(answer, table):
    xml = render_answer(answer, table)
    reply = parse_answer(xml)
    assert reply.result == table.code(answer.outcome)
    assert reply.txn_id == answer.txn_id
    assert reply.prv_txn == answer.prv_txn
    assert reply.sum == ("" if answer.amount is None else format_sum(answer.amount))
    assert reply.fields == dict(answer.fields)
    assert reply.comment == (answer.comment or table.comments[answer.outcome])
    assert reply.raw == xml


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<response><comment>OK</comment></response>",
        b"<response><result>zero</result></response>",
        b"<answer><result>0</result></answer>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><response><result>0</result>'
        b"<comment>&e;</comment></response>",
    ],
)
def test_parse_answer_refuses_what_is_not_an_answer(body):
    with pytest.raises(AnswerError):
        parse_answer(body)


# --- the client against a real HTTP server ------------------------------------------------------

USER, PASSWORD = "qiwi", "s3cret:пароль"


class FakeProvider:
    """The domain endpoint in miniature: parse, decide, render; `pay` is idempotent per txn_id."""

    def __init__(self):
        self.accounts = {"0012345": ("Иванов Пётр Сергеевич", 123450), "0099999": ("Closed", 0)}
        self.paid: dict[str, str] = {}
        self.requests: list[TerminalRequest] = []

    def answer(self, query: str) -> bytes:
        try:
            request = parse_request(dict(parse_qsl(query, keep_blank_values=True)))
        except RequestError as error:
            return render_answer(TerminalAnswer(error.outcome, error.txn_id))
        self.requests.append(request)
        if request.account not in self.accounts:
            return render_answer(TerminalAnswer(Outcome.ACCOUNT_NOT_FOUND, request.txn_id))
        name, debt = self.accounts[request.account]
        if not debt:
            return render_answer(TerminalAnswer(Outcome.ACCOUNT_INACTIVE, request.txn_id))
        if request.command == "check":
            fields = {"FIO": mask_name(name), "DEBT": format_sum(debt)}
            return render_answer(
                TerminalAnswer(Outcome.OK, request.txn_id, amount=request.amount, fields=fields)
            )
        prv_txn = self.paid.setdefault(request.txn_id, str(1000 + len(self.paid)))
        return render_answer(
            TerminalAnswer(Outcome.OK, request.txn_id, prv_txn=prv_txn, amount=request.amount)
        )


@pytest.fixture
def provider():
    fake = FakeProvider()
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="terminals"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = fake.answer(urlsplit(self.path).query)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/terminals/osmp/"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_client_check_round_trip(provider):
    reply = TerminalClient(provider.url, USER, PASSWORD).check("1234567", "0012345", 512345)
    assert reply.result == 0
    assert (reply.txn_id, reply.sum, reply.prv_txn) == ("1234567", "5123.45", "")
    assert reply.fields == {"FIO": "И***** П. С.", "DEBT": "1234.50"}
    assert provider.requests[-1].amount == 512345


def test_client_pay_round_trip_is_idempotent(provider):
    client = TerminalClient(provider.url, USER, PASSWORD)
    when = datetime(2024, 1, 15, 12, 30, 5)
    first = client.pay("1234567", "0012345", 100050, when)
    again = client.pay("1234567", "0012345", 100050, when)
    other = client.pay("1234568", "0012345", 100, when)
    assert (first.result, first.sum, first.prv_txn) == (0, "1000.50", "1000")
    assert again.prv_txn == first.prv_txn
    assert other.prv_txn == "1001"
    assert provider.requests[0].txn_date == when


def test_client_gets_domain_and_parse_refusals_as_replies(provider):
    client = TerminalClient(provider.url, USER, PASSWORD)
    assert client.check("1", "0055555", 100).result == 5
    assert client.check("2", "0099999", 100).result == 79
    bad = client.check("3", "12-AB", 100)
    assert (bad.result, bad.txn_id) == (4, "3")
    assert client.check("4", "0012345", 0).result == 241


def test_client_keeps_a_query_already_in_the_base_url(provider):
    client = TerminalClient(provider.url + "?prv_id=42", USER, PASSWORD)
    assert client.check("5", "0012345", 1).result == 0
    assert dict(provider.requests[-1].extra) == {"prv_id": "42"}


def test_wrong_credentials_raise_transport_error_401(provider):
    with pytest.raises(TransportError) as info:
        TerminalClient(provider.url, USER, "wrong").check("1", "0012345", 100)
    assert info.value.status == 401
    assert provider.requests == []


def test_unreachable_server_raises_transport_error_without_status():
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as spare:
        closed_port = spare.server_address[1]  # free again once closed: nothing listens
    client = TerminalClient(f"http://127.0.0.1:{closed_port}/", USER, PASSWORD, timeout=2)
    with pytest.raises(TransportError) as info:
        client.check("1", "0012345", 100)
    assert info.value.status is None


# --- mask_name -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Иванов Пётр Сергеевич", "И***** П. С."),
        ("  иванов   пётр  ", "И***** П."),
        ("Иванов", "И*****"),
        ("Smith John", "S**** J."),
        ("Smith", "S****"),
        ("O'Brien mary Ann", "O****** M. A."),
        ("Салтыков-Щедрин Михаил", "С" + "*" * 14 + " М."),
        ("Ю Ли", "Ю* Л."),
        ("Пе\u0308тров Иван", "П***** И."),  # decomposed ё counts as one letter
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked
