"""Keeps a chosen file across a failed upload form, so the user never has to choose it again:
the bytes are stored under MEDIA_ROOT by their checksum and the form carries a signed token
(the user's id, the checksum, the file name) that only that user can redeem, for a day."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

_SALT = "warehouse.import-upload.kept"
_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class KeptFile:
    name: str
    data: bytes
    token: str


def _path(sha: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "pending" / sha


def upload_keep(*, data: bytes, filename: str, user) -> str:
    """Stores the bytes and returns the token that gives them back to `user`."""
    sha = hashlib.sha256(data).hexdigest()
    path = _path(sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return signing.dumps({"u": user.pk, "s": sha, "n": filename[:255]}, salt=_SALT)


def upload_kept(*, token: str, user) -> KeptFile | None:
    """The file a token keeps for `user`; None for a token that is forged, expired, another
    user's, or whose bytes are gone."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return None
    if value.get("u") != user.pk:
        return None
    path = _path(str(value.get("s", "")))
    if not path.is_file():
        return None
    return KeptFile(name=str(value.get("n", "")), data=path.read_bytes(), token=token)
