# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Current-shape (2026 API) Stripe objects for what localstripe cannot serve.

Customer Search and invoice PDFs are missing from localstripe; the tests give
the gateway these objects at its seam (``StripeGateway`` methods), normalized
by the same ``shapes`` functions the real answers go through. The PDF itself
is served by a small HTTP server on 127.0.0.1.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.addons.helpdesk_stripe.stripe_gateway import shapes


def _tiny_pdf():
    """A valid one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


PDF_BYTES = _tiny_pdf()


def customer_object(customer_id, name, email, created=None, **extra):
    """A customer as the 2026-10-28 API returns it."""
    data = {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": created or int(time.time()) - 86400,
        "currency": "usd",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": email,
        "invoice_prefix": "ABC123",
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": name,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    data.update(extra)
    return data


def search_result(*customers):
    """A Customer Search answer (``search_result`` list object), normalized."""
    answer = {
        "object": "search_result",
        "url": "/v1/customers/search",
        "has_more": False,
        "next_page": None,
        "data": list(customers),
    }
    return [
        c
        for c in (shapes.normalize_customer(c) for c in shapes._list_data(answer))
        if c
    ]


def invoice_object(invoice_id, customer_id, status="paid", invoice_pdf=None, **extra):
    """An invoice as the 2026-10-28 API returns it (``parent``, no ``charge``)."""
    now = int(time.time())
    data = {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": 2900,
        "amount_paid": 2900 if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else 2900,
        "created": now - 3600,
        "currency": "usd",
        "customer": customer_id,
        "due_date": None,
        "hosted_invoice_url": None,
        "invoice_pdf": invoice_pdf,
        "livemode": False,
        "number": "A1B2C3D4-0001" if status != "draft" else None,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_canned", "metadata": {}},
        },
        "period_end": now,
        "period_start": now - 30 * 86400,
        "status": status,
        "status_transitions": {
            "finalized_at": now - 3600 if status != "draft" else None,
            "paid_at": now - 3500 if status == "paid" else None,
        },
        "total": 2900,
    }
    data.update(extra)
    return shapes.normalize_invoice(data)


class PdfServer:
    """Serves ``PDF_BYTES`` at ``/invoice.pdf`` on 127.0.0.1 (404 elsewhere)."""

    def __init__(self):
        body = PDF_BYTES

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.split("?")[0] != "/invoice.pdf":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
