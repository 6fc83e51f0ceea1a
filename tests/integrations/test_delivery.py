"""The file transports against real servers on loopback: e-mail through an SMTP server
(`aiosmtpd`), SFTP upload through an SFTP server (asyncssh, `sftp_server.py`). What the server
does never raises: it comes back as ok=False with a reason an operator can act on."""

import email
import hashlib
import socket
import threading
import time
from email.policy import default as default_policy

import pytest
from django.core.mail import get_connection

from integrations.delivery import DeliveryResult, file_email_send, host_keys_parse, sftp_upload
from tests.integrations.sftp_server import running_sftp_server
from tests.smtp_server import free_port

# A settlement file as it travels: Windows-1251 text with CRLF line ends, which an attachment
# handled as text could re-encode or re-wrap.
CONTENT = (
    "1CPaymentRegistry\r\nПоставщик=МУП «Водоканал»\r\nСумма=-12.00\r\nКонецФайла\r\n"
).encode("cp1251")
CONTENT_TYPE = "text/plain; charset=windows-1251"
FILENAME = "Реестр R-20261120-WATER.txt"
BINARY = bytes(range(256)) * 2048  # 512 KiB, every byte value: many SFTP writes
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPcv5CXsTM86Qu6cFeCRFTsttXhqYSOhckA0bMghnN0C"


# -- e-mail ------------------------------------------------------------------------------------


@pytest.fixture
def recorder(smtp_settings, smtp_server):
    """What the SMTP server on loopback received (tests.smtp_server), Django sending there."""
    return smtp_server[1]


def send(**overrides) -> DeliveryResult:
    arguments = {
        "to": ["accounts@vodokanal.example"],
        "subject": "Реестр платежей R-20261120-WATER",
        "body": "Реестр платежей за 20.11.2026 во вложении.\n",
        "filename": FILENAME,
        "content": CONTENT,
        "content_type": CONTENT_TYPE,
    }
    return file_email_send(**(arguments | overrides))


def received_attachment(envelope):
    message = email.message_from_bytes(envelope.original_content, policy=default_policy)
    [attachment] = list(message.iter_attachments())
    return message, attachment


def test_the_mail_arrives_with_the_attachment_bytes_intact(recorder):
    result = send()

    assert result.ok, result.error
    assert result.error == ""
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["accounts@vodokanal.example"]
    assert envelope.mail_from == "noreply@unibill.local"
    message, attachment = received_attachment(envelope)
    assert message["Subject"] == "Реестр платежей R-20261120-WATER"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        "Реестр платежей за 20.11.2026 во вложении.\n"
    )
    assert attachment.get_filename() == FILENAME
    assert attachment.get_content_type() == "text/plain"
    assert attachment.get_param("charset") == "windows-1251"
    assert attachment.get_payload(decode=True) == CONTENT


def test_a_binary_attachment_arrives_byte_for_byte_to_every_recipient(recorder):
    result = send(
        to=["a@vodokanal.example", "b@vodokanal.example"],
        from_email="Settlement <settlement@unibill.local>",
        filename="R-20261120-WATER.xlsx",
        content=BINARY,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    assert result.ok, result.error
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["a@vodokanal.example", "b@vodokanal.example"]
    assert envelope.mail_from == "settlement@unibill.local"
    _, attachment = received_attachment(envelope)
    assert hashlib.sha256(attachment.get_payload(decode=True)).digest() == (
        hashlib.sha256(BINARY).digest()
    )


def test_a_refusing_server_gives_the_reason_and_does_not_raise(recorder):
    recorder.refuse = "550 5.1.1 <accounts@vodokanal.example>: no such user"

    result = send()

    assert not result.ok
    assert "550" in result.error
    assert "no such user" in result.error
    assert "accounts@vodokanal.example" in result.error
    assert recorder.envelopes == []


def test_an_unreachable_server_gives_the_reason_and_does_not_raise():
    closed = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=free_port(),  # nobody listens there
        timeout=5,
    )

    result = send(connection=closed)

    assert not result.ok
    assert "unreachable" in result.error
    assert result.duration_ms < 5000


def test_no_recipient_is_a_failure_not_an_exception(recorder):
    result = send(to=["", "  "])

    assert not result.ok
    assert "no recipient" in result.error
    assert recorder.envelopes == []


def test_a_header_that_cannot_be_sent_is_a_failure_not_an_exception(recorder):
    result = send(subject="Registry\nBcc: everyone@example.com")

    assert not result.ok
    assert "cannot be built" in result.error
    assert recorder.envelopes == []


# -- SFTP --------------------------------------------------------------------------------------


@pytest.fixture
def inbox(sftp_server):
    directory = sftp_server.root / "in"
    directory.mkdir()
    return directory


def upload(server, **overrides) -> DeliveryResult:
    arguments = {
        "host": server.host,
        "port": server.port,
        "user": server.user,
        "password": server.password,
        "directory": "/in",
        "filename": "R-20261120-WATER.txt",
        "content": CONTENT,
        "host_key": server.host_key,
        "timeout": 5,
    }
    return sftp_upload(**(arguments | overrides))


def names(directory) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_the_upload_lands_the_exact_bytes_and_leaves_no_part_file(sftp_server, inbox):
    result = upload(sftp_server, content=BINARY)

    assert result.ok, result.error
    assert names(inbox) == ["R-20261120-WATER.txt"]
    assert (inbox / "R-20261120-WATER.txt").read_bytes() == BINARY
    assert sftp_server.logins == [(sftp_server.user, True)]
    # the final name appears only by renaming the complete part file
    assert sftp_server.operations == [
        ("write", "/in/R-20261120-WATER.txt.part"),
        ("rename", "/in/R-20261120-WATER.txt.part", "/in/R-20261120-WATER.txt"),
    ]


def test_uploading_again_replaces_the_file(sftp_server, inbox):
    upload(sftp_server, content=b"first version")

    result = upload(sftp_server)

    assert result.ok, result.error
    assert names(inbox) == ["R-20261120-WATER.txt"]
    assert (inbox / "R-20261120-WATER.txt").read_bytes() == CONTENT


def test_a_relative_directory_is_taken_from_the_login_directory(sftp_server, inbox):
    result = upload(sftp_server, directory="in")

    assert result.ok, result.error
    assert (inbox / "R-20261120-WATER.txt").read_bytes() == CONTENT


def test_a_wrong_host_key_is_refused_before_the_password_is_sent(sftp_server, inbox, tmp_path):
    impostor_root = tmp_path / "other"
    impostor_root.mkdir()
    with running_sftp_server(impostor_root) as other:
        expected = other.host_key  # the flow names another server's key

    result = upload(sftp_server, host_key=expected)

    assert not result.ok
    assert "host key mismatch" in result.error
    [presented] = host_keys_parse(sftp_server.host_key)
    assert presented.fingerprint in result.error
    assert names(inbox) == []
    assert sftp_server.logins == []  # the password never left


def test_a_server_without_a_key_of_the_configured_type_is_refused(sftp_server, inbox):
    with running_sftp_server(sftp_server.root, key_types=("ecdsa-sha2-nistp256",)) as other:
        ecdsa_line = other.host_key

    result = upload(sftp_server, host_key=ecdsa_line)  # the server has only ed25519

    assert not result.ok
    assert "handshake" in result.error
    assert names(inbox) == []
    assert sftp_server.logins == []


def test_the_configured_key_type_is_negotiated_when_the_server_has_several(tmp_path):
    (tmp_path / "in").mkdir()
    with running_sftp_server(tmp_path, key_types=("ssh-ed25519", "ecdsa-sha2-nistp256")) as server:
        result = upload(server, host_key=server.host_keys["ecdsa-sha2-nistp256"])

    assert result.ok, result.error
    assert (tmp_path / "in" / "R-20261120-WATER.txt").read_bytes() == CONTENT


def test_no_host_key_configured_uploads_nothing(sftp_server, inbox):
    result = upload(sftp_server, host_key="")

    assert not result.ok
    assert "host key" in result.error
    assert names(inbox) == []
    assert sftp_server.logins == []


def test_a_wrong_password_is_refused(sftp_server, inbox):
    result = upload(sftp_server, password="not-the-password")

    assert not result.ok
    assert "login refused" in result.error
    assert sftp_server.user in result.error
    assert names(inbox) == []
    assert sftp_server.logins == [(sftp_server.user, False)]


def test_a_missing_directory_is_refused(sftp_server, inbox):
    result = upload(sftp_server, directory="/outbox")

    assert not result.ok
    assert "'/outbox' does not exist" in result.error
    assert names(sftp_server.root) == ["in"]
    assert names(inbox) == []


def test_a_file_name_with_a_directory_is_refused(sftp_server, inbox):
    result = upload(sftp_server, filename="../R-1.txt")

    assert not result.ok
    assert "file name" in result.error
    assert names(sftp_server.root) == ["in"]
    assert sftp_server.logins == []


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:  # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        accepted = []
        waiter = threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True)
        waiter.start()
        started = time.monotonic()

        result = sftp_upload(
            host="127.0.0.1",
            port=silent.getsockname()[1],
            user="supplier",
            password="secret",
            directory="/in",
            filename="R-1.txt",
            content=CONTENT,
            host_key=ED25519,
            timeout=1,
        )

        waiter.join(5)
        for connection, _ in accepted:
            connection.close()
    assert not result.ok
    assert "within 1 s" in result.error
    assert time.monotonic() - started < 5


def test_a_closed_port_is_refused():
    result = sftp_upload(
        host="127.0.0.1",
        port=free_port(),
        user="supplier",
        password="secret",
        directory="/in",
        filename="R-1.txt",
        content=CONTENT,
        host_key=ED25519,
    )

    assert not result.ok
    assert "cannot connect" in result.error


# -- host keys ---------------------------------------------------------------------------------


def test_host_keys_are_read_from_openssh_and_keyscan_lines():
    keys = host_keys_parse(
        f"# sftp.vodokanal.example\n{ED25519} root@sftp\n\nsftp.vodokanal.example {ED25519}\n"
    )

    assert [key.key_type for key in keys] == ["ssh-ed25519", "ssh-ed25519"]
    assert keys[0] == keys[1]
    # as `ssh-keygen -lf` prints it for this key
    assert keys[0].fingerprint == "SHA256:rUmuthHUmDWJdESUlFWsO8+Ja6h6dcHVDmn+QKYcJ8Y"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no host key"),
        ("AAAAC3NzaC1lZDI1NTE5AAAAIPcv5CXsTM86Qu6cFeCRFTsttXhqYSOhckA0bMghnN0C", "line 1"),
        (f"{ED25519}\nssh-ed25519 not*base64", "line 2: the key is not valid base64"),
        (ED25519.replace("ssh-ed25519", "ecdsa-sha2-nistp256", 1), "labelled"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "line 1"),
    ],
)
def test_a_host_key_that_is_not_an_openssh_key_line_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        host_keys_parse(text)


# -- the result --------------------------------------------------------------------------------


def test_a_failure_built_without_a_reason_still_says_it_failed():
    assert DeliveryResult(ok=False, error="", duration_ms=3).error == DeliveryResult.NO_REASON


def test_a_success_with_an_error_is_refused():
    with pytest.raises(ValueError, match="carries no error"):
        DeliveryResult(ok=True, error="HTTP 500", duration_ms=3)
