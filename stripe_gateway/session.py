"""The HTTP session every gateway of a process shares."""

import os
import threading
from http.cookiejar import DefaultCookiePolicy

import requests

_session = None
_session_pid = None
_session_lock = threading.Lock()


def shared_session():
    """One keep-alive HTTP session per process, for every gateway.

    Reusing connections spares a TCP (and TLS) handshake on every panel open:
    with Stripe 50-100 ms away, that is two round trips. The session holds no
    credentials (the key travels in each request's header) and refuses cookies,
    so nothing is carried from one account to another. A forked worker makes
    its own (sockets are never shared between processes).
    """
    global _session, _session_pid
    with _session_lock:
        if _session is None or _session_pid != os.getpid():
            session = requests.Session()
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=16)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _session, _session_pid = session, os.getpid()
        return _session
