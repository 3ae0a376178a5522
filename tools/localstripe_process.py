"""Start and stop a private localstripe on 127.0.0.1 for tests, demo and bench.

Pure Python, no Odoo: used by the standalone tests, by ``tests/common.py`` in the
Odoo suite, by ``make demo`` and by the benchmarks.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

LAUNCHER = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "localstripe_server.py"
)
TEST_KEY = "sk_test_helpdeskstripe0000"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    """A localstripe server process bound to loopback with its own data file."""

    def __init__(self, port=None, data_file=None, from_scratch=True, persist=True):
        self.port = port or free_port()
        self._tmpdir = None
        if data_file is None:
            self._tmpdir = tempfile.mkdtemp(prefix="localstripe-")
            data_file = os.path.join(self._tmpdir, "store.pickle")
        self.data_file = data_file
        self.from_scratch = from_scratch
        self.persist = persist
        self.process = None
        self.log_path = data_file + ".log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        cmd = [
            sys.executable,
            LAUNCHER,
            "--port",
            str(self.port),
            "--data",
            self.data_file,
        ]
        if self.from_scratch:
            cmd.append("--from-scratch")
        if not self.persist:
            cmd.append("--no-persist")
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"localstripe exited with {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            if self.is_up():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"localstripe did not start on {self.url}")

    def is_up(self):
        request = urllib.request.Request(
            self.url + "/v1/customers?limit=1",
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def flush(self):
        """Forget every object (between tests)."""
        request = urllib.request.Request(self.url + "/_config/data", method="DELETE")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._tmpdir:
            for name in os.listdir(self._tmpdir):
                os.unlink(os.path.join(self._tmpdir, name))
            os.rmdir(self._tmpdir)
            self._tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
