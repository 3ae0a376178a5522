"""A misbehaving Stripe on 127.0.0.1, for fault tests (standalone and Odoo).

It records every request (method, path, ``Idempotency-Key``) and answers as its
``mode`` says:

- ``ok``: plausible JSON (a customer for ``/v1/customers/<id>``, an empty list
  for lists, the posted object for writes);
- ``500``: Stripe's ``api_error``;
- ``429``: a rate-limit error, with ``Retry-After`` when ``retry_after`` is set;
- ``garbage``: a 200 whose body is not JSON;
- ``hang``: accepts the request and never answers (until the server stops or
  ``hang_seconds`` pass), so the client times out.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MODES = ("ok", "500", "429", "garbage", "hang")


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeStripe/1.0"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls

    def log_message(self, format, *args):  # quiet
        pass

    def _handle(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = urlsplit(self.path).path
        with fake.lock:
            fake.requests.append(
                {
                    "method": self.command,
                    "path": path,
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                    "form": dict(parse_qsl(body)),
                }
            )
            mode, retry_after = fake.mode, fake.retry_after
        if mode == "hang":
            fake.stopping.wait(fake.hang_seconds)
            return
        if mode == "garbage":
            self._send(200, b"<html>Bad gateway</html>", "text/html")
        elif mode == "500":
            self._error(500, "api_error", "Something went wrong on Stripe's end.")
        elif mode == "429":
            headers = {"Retry-After": str(retry_after)} if retry_after else {}
            self._error(429, "invalid_request_error", "Too many requests.", headers)
        else:
            self._send(200, json.dumps(fake.answer(self.command, path, body)).encode())

    do_GET = do_POST = do_DELETE = _handle

    def _error(self, status, kind, message, headers=None):
        code = "rate_limit" if status == 429 else None
        payload = {"error": {"type": kind, "message": message, "code": code}}
        self._send(status, json.dumps(payload).encode(), headers=headers)

    def _send(self, status, payload, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", f"req_fake{len(self.server.fake.requests)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class FakeStripe:
    """``with FakeStripe() as fake: fake.mode = "500"; ... fake.requests``."""

    def __init__(self, mode="ok", retry_after=None, hang_seconds=30):
        assert mode in MODES, mode
        self.mode = mode
        self.retry_after = retry_after
        self.hang_seconds = hang_seconds
        self.requests = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = None
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def clear(self):
        with self.lock:
            self.requests.clear()

    def answer(self, method, path, body):
        """A plausible Stripe object for the ``ok`` mode."""
        parts = [p for p in path.split("/") if p]
        now = int(time.time())
        if len(parts) == 2:  # /v1/customers, /v1/charges...: a list (or a create)
            if method == "POST":
                return {"id": f"{parts[1][:3]}_fake", "object": parts[1][:-1]}
            return {"object": "list", "data": [], "has_more": False, "url": path}
        obj_id = parts[2] if len(parts) > 2 else "unknown"
        if parts[1] == "customers":
            return {
                "id": obj_id,
                "object": "customer",
                "email": "fake@example.com",
                "name": "Fake Customer",
                "created": now,
                "currency": "usd",
                "balance": 0,
                "subscriptions": {"object": "list", "data": [], "has_more": False},
            }
        return {"id": obj_id, "object": parts[1][:-1], "created": now}
