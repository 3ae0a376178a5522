"""Screenshot a page of a running Odoo in headless Chromium (for the README).

Logs in through JSON-RPC, hands the session cookie to Chromium over the DevTools
protocol, runs an optional JavaScript snippet (e.g. a click), waits, and saves a
PNG. Dev tool: needs Debian's ``chromium`` and ``websocket-client``.

Usage: python3 tools/screenshot.py URL OUT.png [--js "…"] [--wait 4]

The README's picture (the ticket's Stripe tab is ``.o_notebook a[name='stripe']``)::

    python3 tools/screenshot.py http://localhost:8069/odoo/helpdesk.ticket/1 \\
        static/description/stripe_panel.png --wait 20 --height 1400 \\
        --js "document.querySelector(\".o_notebook a[name='stripe']\").click()"
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

import requests
import websocket


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--db", default="helpdesk_stripe_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--js", action="append", default=[])
    parser.add_argument("--wait", type=float, default=4.0)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()

    base = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(args.url))
    session = requests.Session()
    response = session.post(
        base + "/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": args.db, "login": args.login, "password": args.password},
        },
        timeout=30,
    )
    response.raise_for_status()
    session_id = session.cookies["session_id"]

    profile = tempfile.mkdtemp(prefix="shot-")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chrome = subprocess.Popen(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            f"--window-size={args.width},{args.height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                targets = requests.get(
                    f"http://127.0.0.1:{port}/json", timeout=1
                ).json()
                page = next(t for t in targets if t["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                time.sleep(0.1)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        counter = iter(range(1, 10**6))

        def call(method, **params):
            msg_id = next(counter)
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == msg_id:
                    return message.get("result", {})

        host = urllib.parse.urlparse(base).hostname
        call("Network.enable")
        call("Network.setCookie", name="session_id", value=session_id, domain=host)
        call(
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        call("Page.enable")
        call("Page.navigate", url=args.url)
        time.sleep(args.wait)
        for snippet in args.js:
            call("Runtime.evaluate", expression=snippet)
            time.sleep(args.wait)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        print(f"saved {args.out}")
    finally:
        chrome.terminate()
        chrome.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
