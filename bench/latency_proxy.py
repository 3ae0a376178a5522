"""A counting HTTP proxy that adds network latency in front of localstripe.

Every request waits ``latency`` seconds before it is forwarded (a round trip to
a distant Stripe), and every new client connection waits ``latency`` once more
(the TCP handshake; Stripe's TLS would add another). Connections are kept alive
both ways, as the SDK keeps them. Only ever binds 127.0.0.1.

Usage (standalone): python3 bench/latency_proxy.py --upstream
http://127.0.0.1:8420 --port 8421 --latency-ms 100
"""

import argparse
import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls

    def log_message(self, format, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.upstream = None
        time.sleep(self.server.proxy.latency)  # the handshake's round trip

    def finish(self):
        if self.upstream is not None:
            self.upstream.close()
        super().finish()

    def _forward(self):
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        proxy.count_request(self.command, self.path)
        time.sleep(proxy.latency)
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in HOP_HEADERS and k.lower() != "host"
        }
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(
                proxy.upstream_host, proxy.upstream_port, timeout=60
            )
        try:
            self.upstream.request(self.command, self.path, body=body, headers=headers)
            response = self.upstream.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.upstream.close()
            self.upstream = None
            self.send_error(502)
            return
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _forward


class LatencyProxy:
    """``with LatencyProxy(upstream_url, latency=0.1) as proxy: proxy.url``."""

    def __init__(self, upstream, latency=0.1, port=0):
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        assert self.upstream_host in ("127.0.0.1", "localhost"), "loopback only"
        self.latency = latency
        self.port = port
        self.requests = []
        self._lock = threading.Lock()
        self._server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def count(self):
        return len(self.requests)

    def count_request(self, method, path):
        with self._lock:
            self.requests.append((method, path))

    def reset(self):
        with self._lock:
            self.requests = []

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=8421)
    parser.add_argument("--latency-ms", type=float, default=100)
    args = parser.parse_args()
    proxy = LatencyProxy(args.upstream, args.latency_ms / 1000, args.port).start()
    print(f"{proxy.url} -> {args.upstream} (+{args.latency_ms:g} ms)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
