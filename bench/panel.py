"""Panel opens through a real Odoo HTTP server (JSON-RPC), timed and counted."""

import os
import statistics
import subprocess
import sys
import time

import requests

TIMEOUT = 60


class OdooServer:
    """``python -m odoo`` serving one database on 127.0.0.1."""

    def __init__(self, config, db_name, port, cwd):
        self.config = config
        self.db_name = db_name
        self.port = port
        self.cwd = cwd
        self.process = None
        self.session = requests.Session()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=120):
        log = open(os.path.join(self.cwd, f"odoo-http-{self.db_name}.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                self.config,
                "--http-port",
                str(self.port),
                "--workers",
                "0",
            ],
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}")
            try:
                if self.session.get(self.url + "/web/health", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("Odoo did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rpc(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 1},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        payload = response.json()
        if "error" in payload:
            raise RuntimeError(payload["error"])
        return payload["result"]

    def login(self, login="admin", password="admin"):
        self.rpc(
            "/web/session/authenticate",
            {"db": self.db_name, "login": login, "password": password},
        )

    def panel(self, ticket_id, **kwargs):
        return self.rpc(
            "/web/dataset/call_kw/helpdesk.ticket/stripe_panel_data",
            {
                "model": "helpdesk.ticket",
                "method": "stripe_panel_data",
                "args": [[ticket_id]],
                "kwargs": kwargs,
            },
        )


def round_trip_seconds(proxy, key, customer_id, samples=15):
    """One request through the proxy on a kept-alive connection (median)."""
    session = requests.Session()
    url = f"{proxy.url}/v1/customers/{customer_id}"
    headers = {"Authorization": f"Bearer {key}"}
    session.get(url, headers=headers, timeout=TIMEOUT).raise_for_status()  # connect
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        session.get(url, headers=headers, timeout=TIMEOUT).raise_for_status()
        times.append(time.perf_counter() - started)
    session.close()
    return statistics.median(times)


def measure_panel(server, proxy, ticket_ids, warmup_id):
    """Cold then warm opens of each ticket's panel.

    :return: ``(cold seconds [median], cold requests [mean], warm requests
        [mean])``
    """
    data = server.panel(warmup_id)  # Odoo's code paths, and the connections
    assert data["state"] == "ok", data
    cold_times, cold_calls, warm_calls = [], [], []
    for ticket_id in ticket_ids:
        proxy.reset()
        started = time.perf_counter()
        data = server.panel(ticket_id)
        cold_times.append(time.perf_counter() - started)
        assert data["state"] == "ok", data
        cold_calls.append(proxy.count)
    for ticket_id in ticket_ids:
        proxy.reset()
        data = server.panel(ticket_id)
        assert data["state"] == "ok", data
        warm_calls.append(proxy.count)
    return (
        statistics.median(cold_times),
        statistics.mean(cold_calls),
        statistics.mean(warm_calls),
    )
