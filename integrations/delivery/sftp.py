"""A settlement file by SFTP upload (paramiko, password login).

The upload is atomic for the supplier's side: the bytes go to `<filename>.part`, are checked
for size, and only then renamed to `<filename>` (POSIX rename where the server offers it, so a
file sent again replaces the old one), so a supplier's loader that picks up `*.txt` never sees
half a file.

The server must prove it is the one the flow names: `host_key` holds its OpenSSH public key
line ("ssh-ed25519 AAAA… [comment]", as in `known_hosts` or `/etc/ssh/ssh_host_*_key.pub`;
`ssh-keyscan` output with the host name in front works too; several lines = any of them). Only
the configured key types are negotiated, and the key is compared before the password is sent,
so an impostor never sees the password. No host key configured means no upload.

What the server or the network does — a wrong host key, a refused login, a missing directory,
no permission, a timeout, a closed port — never raises: it comes back as
`DeliveryResult(ok=False, error=…)`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import posixpath
import socket
import stat
import struct
import threading
import time
from dataclasses import dataclass

import paramiko

from .types import DeliveryResult

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
_GRACE = 5  # seconds
# The host key algorithms paramiko may negotiate for a key of each OpenSSH type.
_ALGORITHMS = {
    "ssh-ed25519": ("ssh-ed25519",),
    "ecdsa-sha2-nistp256": ("ecdsa-sha2-nistp256",),
    "ecdsa-sha2-nistp384": ("ecdsa-sha2-nistp384",),
    "ecdsa-sha2-nistp521": ("ecdsa-sha2-nistp521",),
    "ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"),
}


@dataclass(frozen=True)
class HostKey:
    """A server's public key: its OpenSSH type and the key blob (SSH wire format)."""

    key_type: str
    blob: bytes

    @property
    def fingerprint(self) -> str:
        """As `ssh-keygen -lf` prints it: "SHA256:<base64 without padding>"."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")
        return f"SHA256:{digest}"


def host_keys_parse(text: str) -> tuple[HostKey, ...]:
    """The keys of `text`: one OpenSSH public key line per line ("<type> <base64> [comment]",
    optionally preceded by host names as `ssh-keyscan` and `known_hosts` write them); blank
    lines and `#` comments are skipped. Raises ValueError naming the line that is not such a key
    (unknown type, bad base64, a blob of another type), or when there is no key at all."""
    keys = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        position = next((i for i, field in enumerate(fields) if field in _ALGORITHMS), None)
        if position is None or position + 1 >= len(fields):
            raise ValueError(
                f"host key line {number}: expected '<type> <base64 key>' with a type of "
                f"{', '.join(_ALGORITHMS)}, got {line[:60]!r}"
            )
        key_type, encoded = fields[position], fields[position + 1]
        try:
            blob = base64.b64decode(encoded, validate=True)
            (length,) = struct.unpack(">I", blob[:4])
            embedded = blob[4 : 4 + length].decode("ascii")
        except (binascii.Error, struct.error, UnicodeDecodeError):
            raise ValueError(f"host key line {number}: the key is not valid base64") from None
        if embedded != key_type:
            raise ValueError(f"host key line {number}: a {embedded!r} key labelled {key_type!r}")
        keys.append(HostKey(key_type=key_type, blob=blob))
    if not keys:
        raise ValueError("no host key: the server's OpenSSH public key line is required")
    return tuple(keys)


class _Refused(Exception):
    """An upload step failed for a reason the operator can act on; the message says which."""


def _connect(host: str, port: int, timeout: float, keys: tuple[HostKey, ...]):
    """A transport to the server, its key exchange done and its host key checked against
    `keys` (before any password leaves)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise _Refused(f"no answer from {host}:{port} within {timeout:g} s") from None
    except OSError as error:
        raise _Refused(f"cannot connect to {host}:{port}: {error.strerror or error}") from None
    transport = paramiko.Transport(sock)
    # paramiko's own limits are a safety net behind ours (the wait below, `timeout` for the
    # login and each request), so a silent server gets our message, not a banner error
    transport.banner_timeout = transport.handshake_timeout = timeout + _GRACE
    transport.auth_timeout = timeout
    wanted = {algorithm for key in keys for algorithm in _ALGORITHMS[key.key_type]}
    options = transport.get_security_options()
    options.key_types = [name for name in options.key_types if name in wanted]
    negotiated = threading.Event()
    transport.start_client(event=negotiated)  # runs in paramiko's thread; we wait below
    done = negotiated.wait(timeout)
    if not transport.is_active():
        error = transport.get_exception()
        transport.close()
        raise _Refused(f"SSH handshake with {host}:{port} failed: {error or 'connection closed'}")
    if not done:
        transport.close()
        raise _Refused(f"SSH handshake with {host}:{port} did not finish within {timeout:g} s")
    offered = transport.get_remote_server_key()
    if not any(offered.asbytes() == key.blob for key in keys):
        presented = HostKey(key_type=offered.get_name(), blob=offered.asbytes())
        transport.close()
        expected = ", ".join(key.fingerprint for key in keys)
        raise _Refused(
            f"host key mismatch: {host}:{port} presented {presented.key_type} "
            f"{presented.fingerprint}, the flow expects {expected}; nothing was sent"
        )
    return transport


def _login(transport, host: str, user: str, password: str) -> None:
    try:
        transport.auth_password(user, password)
    except paramiko.BadAuthenticationType as error:
        raise _Refused(
            f"{host} does not take a password for {user!r} "
            f"(it allows {', '.join(error.allowed_types)})"
        ) from None
    except paramiko.AuthenticationException:
        raise _Refused(
            f"login refused: {host} did not accept user {user!r} with this password"
        ) from None
    except (paramiko.SSHException, EOFError, OSError) as error:
        raise _Refused(f"login to {host} failed: {error or 'timed out'}") from None


def _rename(sftp: paramiko.SFTPClient, source: str, target: str) -> None:
    """POSIX rename (replaces `target`); a server without the extension gets a plain rename,
    which SFTP refuses when `target` exists."""
    try:
        sftp.posix_rename(source, target)
        return
    except OSError as error:
        logger.info("posix rename of %s refused (%s); trying a plain rename", source, error)
    try:
        sftp.rename(source, target)
    except OSError as error:
        raise _Refused(f"cannot rename {source} to {target}: {error}") from None


def _put(sftp: paramiko.SFTPClient, directory: str, filename: str, content: bytes) -> None:
    try:
        attributes = sftp.stat(directory)
    except FileNotFoundError:
        raise _Refused(f"directory {directory!r} does not exist on the server") from None
    except PermissionError:
        raise _Refused(f"directory {directory!r}: permission denied") from None
    except TimeoutError:
        raise
    except OSError as error:
        raise _Refused(f"directory {directory!r}: {error}") from None
    if not stat.S_ISDIR(attributes.st_mode or 0):
        raise _Refused(f"{directory!r} on the server is not a directory")
    target = posixpath.join(directory, filename)
    part = target + PART_SUFFIX
    try:
        with sftp.open(part, "wb") as remote:
            remote.set_pipelined(True)
            remote.write(content)
        size = sftp.stat(part).st_size
        if size != len(content):
            raise _Refused(f"the server holds {size} bytes of {part}, {len(content)} were sent")
        _rename(sftp, part, target)
    except TimeoutError:
        raise  # the connection is gone: nothing more to ask of it
    except _Refused:
        _remove_quietly(sftp, part)
        raise
    except OSError as error:
        _remove_quietly(sftp, part)
        reason = "permission denied" if isinstance(error, PermissionError) else str(error)
        raise _Refused(f"cannot write {part}: {reason}") from None


def _remove_quietly(sftp: paramiko.SFTPClient, path: str) -> None:
    try:
        sftp.remove(path)
    except (OSError, paramiko.SSHException, EOFError):
        logger.info("could not remove %s after a failed upload", path)


def _bad_filename(filename: str) -> bool:
    return not filename or filename in (".", "..") or "/" in filename or "\x00" in filename


def sftp_upload(
    *,
    host: str,
    port: int,
    user: str,
    password: str,
    directory: str,
    filename: str,
    content: bytes,
    host_key: str,
    timeout: float = 15,
) -> DeliveryResult:
    """Uploads `content` as `<directory>/<filename>` on `host:port` (`directory` as the server
    sees it: absolute, or relative to the login directory; "" is the login directory). Writes
    `<filename>.part`, checks its size, renames it (replacing an older `<filename>`); a failed
    upload removes its `.part`. `timeout` (seconds) bounds the connection, the handshake, the
    login and each SFTP request. ok=False with the reason for a host key that is not configured,
    not valid or not the server's (nothing is sent, not even the password), a refused login, a
    missing directory, no permission, a timeout or a broken connection; never raises."""
    started = time.monotonic()

    def failed(error: str) -> DeliveryResult:
        return DeliveryResult(
            ok=False, error=error, duration_ms=int((time.monotonic() - started) * 1000)
        )

    try:
        keys = host_keys_parse(host_key)
    except ValueError as error:
        return failed(f"the flow's host key: {error}")
    directory = directory.strip() or "."
    if _bad_filename(filename):
        return failed(f"file name {filename!r}: a plain name is needed, no directory")
    transport = None
    try:
        transport = _connect(host, port, timeout, keys)
        _login(transport, host, user, password)
        try:
            sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise _Refused(f"{host} refused the SFTP session: {error or 'timed out'}") from None
        if sftp is None:
            raise _Refused(f"{host} refused the SFTP session")
        sftp.get_channel().settimeout(timeout)
        with sftp:
            _put(sftp, directory, filename, content)
    except _Refused as error:
        return failed(str(error))
    except TimeoutError:
        return failed(f"{host}:{port} stopped answering (no answer within {timeout:g} s)")
    except (paramiko.SSHException, EOFError, OSError) as error:
        return failed(f"connection to {host}:{port} broke off: {error or type(error).__name__}")
    except Exception as error:  # the contract: a transport failure never raises
        logger.exception("SFTP upload of %s to %s:%s failed unexpectedly", filename, host, port)
        return failed(f"unexpected error: {type(error).__name__}: {error}")
    finally:
        if transport is not None:
            transport.close()
    return DeliveryResult(ok=True, error="", duration_ms=int((time.monotonic() - started) * 1000))
