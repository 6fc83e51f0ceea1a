"""A real SFTP server on loopback for tests: asyncssh's server in its own thread and event loop,
password login for one user, the SFTP view rooted (chroot-like) at a temp directory, a fresh
ed25519 host key per server.

    with running_sftp_server(tmp_path) as server:
        sftp_upload(host=server.host, port=server.port, user=server.user,
                    password=server.password, host_key=server.host_key, directory="/in", …)
        (server.root / "in" / "R-1.txt").read_bytes()

`server.logins` records every password attempt (user name, accepted?), so a test can tell that
a client that refused the host key never sent a password; `server.operations` the writes and
renames, so a test can tell how a file came to be there. The `sftp_server` fixture wraps it
(tests/conftest.py loads it for every test)."""

from __future__ import annotations

import asyncio
import secrets
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # asyncssh still imports cryptography's DSA, which warns on import
    warnings.simplefilter("ignore")
    import asyncssh

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 10


@dataclass
class SftpServer:
    host: str
    port: int
    user: str
    password: str
    host_key: str  # the server's OpenSSH public key line: "ssh-ed25519 AAAA… unibill-test"
    root: Path  # what the client sees as "/"
    host_keys: dict[str, str] = field(default_factory=dict)  # every key's line, by type
    logins: list[tuple[str, bool]] = field(default_factory=list)
    # what clients did to files, in order, with the paths they named:
    # ("write", path) for an open for writing, ("rename", old, new) for either kind of rename
    operations: list[tuple[str, ...]] = field(default_factory=list)


def _server_class(server: SftpServer) -> type[asyncssh.SSHServer]:
    class PasswordServer(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True  # every user must authenticate

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            accepted = username == server.user and secrets.compare_digest(
                password.encode(), server.password.encode()
            )
            server.logins.append((username, accepted))
            return accepted

    return PasswordServer


def _sftp_class(server: SftpServer) -> type[asyncssh.SFTPServer]:
    class RecordingSFTPServer(asyncssh.SFTPServer):
        def __init__(self, chan):
            super().__init__(chan, chroot=str(server.root).encode())

        def open(self, path, pflags, attrs):
            if pflags & asyncssh.FXF_WRITE:
                server.operations.append(("write", path.decode()))
            return super().open(path, pflags, attrs)

        def rename(self, oldpath, newpath):
            server.operations.append(("rename", oldpath.decode(), newpath.decode()))
            return super().rename(oldpath, newpath)

        def posix_rename(self, oldpath, newpath):
            server.operations.append(("rename", oldpath.decode(), newpath.decode()))
            return super().posix_rename(oldpath, newpath)

    return RecordingSFTPServer


@contextmanager
def running_sftp_server(
    root: Path,
    *,
    user: str = "supplier",
    password: str | None = None,
    key_types: tuple[str, ...] = ("ssh-ed25519",),
) -> Iterator[SftpServer]:
    """Runs the server on a free loopback port until the block ends; `root` must exist. The
    server holds a fresh host key of each of `key_types`; `host_key` is the first one's."""
    root = Path(root).resolve()
    keys = [asyncssh.generate_private_key(kind, comment="unibill-test") for kind in key_types]
    lines = {
        kind: key.export_public_key().decode().strip()
        for kind, key in zip(key_types, keys, strict=True)
    }
    server = SftpServer(
        host=LOOPBACK,
        port=0,
        user=user,
        password=password if password is not None else secrets.token_urlsafe(12),
        host_key=lines[key_types[0]],
        root=root,
        host_keys=lines,
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sftp-server", daemon=True)
    thread.start()

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            LOOPBACK,
            0,
            server_host_keys=keys,
            server_factory=_server_class(server),
            sftp_factory=_sftp_class(server),
            allow_scp=False,
        )

    async def stop(acceptor: asyncssh.SSHAcceptor) -> None:
        acceptor.close()
        await acceptor.wait_closed()
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:  # sessions a client left open
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    try:
        acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(START_TIMEOUT)
        server.port = acceptor.sockets[0].getsockname()[1]
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(stop(acceptor), loop).result(START_TIMEOUT)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT)
        loop.close()


@pytest.fixture(name="sftp_server")
def sftp_server_fixture(tmp_path) -> Iterator[SftpServer]:
    """`sftp_server`: a running server rooted at a fresh `tmp_path / "sftp"`. To use it, import
    nothing: tests/conftest.py loads this module as a plugin."""
    root = tmp_path / "sftp"
    root.mkdir()
    with running_sftp_server(root) as server:
        yield server
