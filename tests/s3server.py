"""An S3 API on the loopback interface for the tests: moto's server, started on a
free port of 127.0.0.1 and stopped by the fixture that made it.

Credentials and the region are given explicitly, and the metadata service of
cloud machines is turned off, so that nothing asks any address but the
server's.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

#: The environment the clients and the server run with.
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
          "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
          "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

_START_TIMEOUT = 60


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1, in a process of its own."""

    def __init__(self, **server_env):
        self.port = _free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        env = dict(os.environ, **S3_ENV, **server_env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("moto's server exited with status %d"
                                   % self.process.returncode)
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto's server did not answer on %s" % self.endpoint)
                time.sleep(0.1)

    @property
    def storage_options(self):
        """s3fs's options for this server."""
        return {"key": S3_ENV["AWS_ACCESS_KEY_ID"], "secret": S3_ENV["AWS_SECRET_ACCESS_KEY"],
                "client_kwargs": {"endpoint_url": self.endpoint},
                "skip_instance_cache": True}

    def filesystem(self):
        import s3fs
        return s3fs.S3FileSystem(**self.storage_options)

    def new_bucket(self):
        """The name of a new, empty bucket."""
        name = "b" + uuid.uuid4().hex[:20]
        self.filesystem().mkdir(name)
        return name

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def s3_server():
    """A moto server for the whole session (s3fs and moto are in the test extra)."""
    import moto  # noqa: F401  (an ImportError fails the tests that need it)
    import s3fs  # noqa: F401
    for name, value in S3_ENV.items():
        os.environ.setdefault(name, value)
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server):
    """A new bucket of the session's moto server: its name."""
    return s3_server.new_bucket()
