# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import content_disposition, request

from ..stripe_gateway import StripeGatewayError
from ..utils import stripe_error_message

_logger = logging.getLogger(__name__)

# HTTP status answered for each kind of Stripe failure.
STRIPE_ERROR_STATUS = {
    "not_found": 404,
    "rate_limit": 429,
    "network": 504,
}


class HelpdeskStripeController(http.Controller):
    @http.route(
        "/helpdesk_stripe/invoice/<int:ticket_id>/<string:invoice_id>/pdf",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def helpdesk_stripe_invoice_pdf(self, ticket_id, invoice_id, **kwargs):
        """Stream the PDF of a Stripe invoice of the ticket's customer.

        Only helpdesk agents who can read the ticket get it; the invoice must
        belong to the ticket's linked Stripe customer. Every failure answers a
        short plain-text explanation with a fitting status, never a traceback.

        :param int ticket_id: the helpdesk ticket
        :param str invoice_id: the Stripe invoice (``in_…``)
        """
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        try:
            if not ticket.exists():
                return self._text(request.env._("This ticket does not exist."), 404)
            content, filename = ticket._stripe_invoice_pdf(invoice_id)
        except AccessError:
            return self._text(
                request.env._("You are not allowed to see this ticket's invoices."),
                403,
            )
        except StripeGatewayError as err:
            _logger.info("Invoice %s of ticket %s: %r", invoice_id, ticket_id, err)
            status = STRIPE_ERROR_STATUS.get(err.kind, 502)
            return self._text(stripe_error_message(request.env, err), status)
        except UserError as err:
            return self._text(str(err), 404)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "private, no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )

    def _text(self, message, status):
        return request.make_response(
            message,
            headers=[
                ("Content-Type", "text/plain; charset=utf-8"),
                ("X-Content-Type-Options", "nosniff"),
            ],
            status=status,
        )
