"""Duplicate keys of statement entries, shared by the parsers.

A key is `<our account>:<booked on>:<C|D>:<amount in minor units>:<reference>`, the reference
being the most specific one the format gives (see each parser). A key longer than `KEY_LIMIT`
keeps the first `READABLE_PREFIX` characters of its reference and a sha256 of the whole
reference in place of the rest; a key is never longer than `KEY_MAX`. Two entries of one file
with the same key are told apart by their ordinal among them (`:x2`, `:x3`…), the last resort.
"""

from __future__ import annotations

import hashlib
from datetime import date

KEY_LIMIT = 100  # splitting keeps a credit's key as `external_id` cut at 100 characters
KEY_MAX = 200  # the importer's column
READABLE_PREFIX = 16
DIGEST_LENGTH = 20


def digest(*parts: str, length: int = DIGEST_LENGTH) -> str:
    """sha256 of the parts joined with a unit separator, hex, the first `length` digits."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def entry_key(*, account: str, booked_on: date, direction: str, amount: int, reference: str) -> str:
    """`<account>:<booked on>:<direction>:<amount>:<reference>`, the reference hashed behind a
    readable prefix when the whole would pass `KEY_LIMIT`."""
    head = f"{account}:{booked_on.isoformat()}:{direction}:{amount}:"
    key = head + reference
    if len(key) > KEY_LIMIT:
        key = f"{head}{reference[:READABLE_PREFIX]}~{digest(reference)}"
    if len(key) > KEY_MAX - 10:  # an absurd account: hash it too, room left for an ordinal
        key = f"{account[:READABLE_PREFIX]}~{digest(key)}"
    return key


class KeyRegister:
    """The keys given so far in one file; a repeat gets its ordinal among the same keys."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def unique(self, key: str) -> tuple[str, bool]:
        """(the key, or the key with its ordinal `:x<n>` if it was given before; repeated?)"""
        if key not in self.seen:
            self.seen.add(key)
            return key, False
        ordinal = 2
        while f"{key}:x{ordinal}" in self.seen:
            ordinal += 1
        key = f"{key}:x{ordinal}"
        self.seen.add(key)
        return key, True
