# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.http import request

from ..const import WEBHOOK_ROUTE
from ..stripe_gateway.webhooks import MAX_BODY_BYTES, SIGNATURE_HEADER

_logger = logging.getLogger(__name__)


class HelpdeskStripeWebhook(http.Controller):
    @http.route(
        WEBHOOK_ROUTE,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def helpdesk_stripe_webhook(self, company_id, **kwargs):
        """Receive one Stripe event for a company; the cron processes it.

        :return: 200 when the event is stored, replayed or not handled; 400
            for a missing or wrong signature or a body that is not an event;
            404 for an unknown company; 413 for a body over 1 MB
        """
        httprequest = request.httprequest
        length = httprequest.content_length
        # A chunked body has no Content-Length: it is measured once read
        # (Odoo keeps the raw input stream to itself).
        body = b"" if length and length > MAX_BODY_BYTES else httprequest.get_data()
        if (length and length > MAX_BODY_BYTES) or len(body) > MAX_BODY_BYTES:
            _logger.warning(
                "Stripe webhook for company %s refused: body over %s bytes",
                company_id,
                MAX_BODY_BYTES,
            )
            return request.make_json_response({"error": "too_large"}, status=413)
        status, answer = (
            request.env["helpdesk.stripe.event"]
            .sudo()
            ._stripe_receive(
                company_id, body, httprequest.headers.get(SIGNATURE_HEADER)
            )
        )
        return request.make_json_response(answer, status=status)
