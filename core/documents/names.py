"""File names made of what users type (an account number such as `12-345/6`): one path segment,
no separators, no control characters, readable."""

import re

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def file_stem(text: str) -> str:
    """`"12-345/6-202611"` → `"12-345_6-202611"`: what a folder and a Content-Disposition take."""
    stem = _UNSAFE.sub("_", text).strip("._")
    return stem or "file"
