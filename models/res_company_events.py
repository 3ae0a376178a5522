# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import EVENT_TICKET_LIMIT_DEFAULT, WEBHOOK_PATH
from ..stripe_gateway.webhooks import SECRET_PREFIX


class ResCompany(models.Model):
    _inherit = "res.company"

    stripe_webhook_secret = fields.Char(
        string="Stripe signing secret",
        groups="base.group_system",
        copy=False,
        help="Signing secret (whsec_…) of this company's webhook endpoint in Stripe.",
    )
    stripe_webhook_secret_set = fields.Boolean(
        compute="_compute_stripe_webhook_secret_set",
        string="Signing secret saved",
    )
    stripe_event_ticket_limit = fields.Integer(
        string="Tickets noted per Stripe event",
        default=EVENT_TICKET_LIMIT_DEFAULT,
        help="A Stripe event is noted on this many of the customer's open "
        "tickets, the most recent first.",
    )
    stripe_dispute_tickets_enabled = fields.Boolean(
        string="Tickets for Stripe disputes",
        help="A dispute from a customer without an open ticket opens one.",
    )
    stripe_dispute_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team for dispute tickets",
        domain="[('company_id', 'in', [id, False])]",
    )

    @api.depends_context("uid")
    def _compute_stripe_webhook_secret_set(self):
        for company in self:
            company.stripe_webhook_secret_set = bool(
                company.sudo().stripe_webhook_secret
            )

    @api.constrains("stripe_event_ticket_limit")
    def _check_stripe_event_ticket_limit(self):
        for company in self:
            if not 1 <= company.stripe_event_ticket_limit <= 50:
                raise ValidationError(
                    self.env._(
                        "Stripe events are noted on 1 to 50 tickets, not %(count)s.",
                        count=company.stripe_event_ticket_limit,
                    )
                )

    # === BUSINESS METHODS === #

    def _stripe_webhook_url(self):
        """The address to paste into Stripe's webhook endpoint for this company."""
        self.ensure_one()
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base.rstrip("/") + WEBHOOK_PATH % self.id

    def _stripe_set_webhook_secret(self, secret):
        """Store the signing secret Stripe shows for this company's endpoint.

        :param str secret: ``whsec_…``; empty to erase the stored one
        :raise UserError: when it is not a signing secret
        """
        self.ensure_one()
        self._stripe_check_admin()
        secret = (secret or "").strip()
        if secret and (not secret.startswith(SECRET_PREFIX) or len(secret) < 12):
            raise UserError(
                self.env._(
                    "This is not a Stripe signing secret. Copy the secret that "
                    "starts with whsec_ from the webhook endpoint in Stripe "
                    "(Developers > Webhooks)."
                )
            )
        self.sudo().stripe_webhook_secret = secret or False
