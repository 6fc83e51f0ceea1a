"""Outside the demo (DEBUG off) the session cookie is Secure and HTTP-only and the CSRF cookie
Secure; the demo (DEBUG on, plain http on localhost) keeps them usable without TLS."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE"]

# Reads config/settings.py under DEBUG off, then on, in a fresh interpreter (the running one's
# settings are fixed already).
PROBE = f"""
import importlib, json, os
found = {{}}
for debug in ("false", "true"):
    os.environ["DEBUG"] = debug
    import config.settings as s
    s = importlib.reload(s)
    found[debug] = {{n: getattr(s, n) for n in {NAMES!r}}}
print(json.dumps(found))
"""


def test_cookies_are_secure_and_http_only_outside_the_demo():
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    env["SECRET_KEY"] = "a-production-secret-for-this-test-only"
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["false"] == dict.fromkeys(NAMES, True)
    assert found["true"] == {
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": False,
    }
