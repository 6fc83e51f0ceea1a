"""A real Celery worker, started as its own process, takes a task from Redis and returns the
result through Redis: the production wiring of config/celery.py, not eager mode."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def worker():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} for the worker test: {exc}")
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": "sqlite:///:memory:"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_runs_a_task_sent_over_redis(worker):
    from celery import Celery

    client = Celery("unibill", broker=REDIS_URL, backend=REDIS_URL)
    token = f"ping-{os.getpid()}-{time.time_ns()}"
    result = client.send_task("unibill.ping", args=[token])
    try:
        value = result.get(timeout=60)
    except Exception:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
        raise AssertionError(f"the worker did not answer; its output:\n{output}") from None
    assert value == token
    assert worker.poll() is None, "the worker died"
