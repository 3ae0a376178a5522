# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Settings > Helpdesk > Stripe: the webhook endpoint and what events do."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..const import HANDLED_WEBHOOK_EVENTS, WEBHOOK_PATH
from ..stripe_gateway import webhooks


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Typed here and never read back, like the secret key.
    stripe_webhook_secret_input = fields.Char(
        string="Signing secret",
        groups="base.group_system",
        help="The endpoint's signing secret (whsec_…), shown by Stripe under "
        "Developers > Webhooks once the endpoint is added.",
    )
    stripe_webhook_secret_set = fields.Boolean(
        related="company_id.stripe_webhook_secret_set"
    )
    stripe_webhook_url = fields.Char(
        string="Webhook URL", compute="_compute_stripe_webhook_info"
    )
    stripe_webhook_events = fields.Char(
        string="Events to send", compute="_compute_stripe_webhook_info"
    )
    stripe_last_event_type = fields.Char(
        string="Last event", compute="_compute_stripe_webhook_info"
    )
    stripe_last_event_date = fields.Datetime(
        string="Last event received", compute="_compute_stripe_webhook_info"
    )
    stripe_event_ticket_limit = fields.Integer(
        related="company_id.stripe_event_ticket_limit", readonly=False
    )
    stripe_dispute_tickets_enabled = fields.Boolean(
        related="company_id.stripe_dispute_tickets_enabled", readonly=False
    )
    stripe_dispute_team_id = fields.Many2one(
        related="company_id.stripe_dispute_team_id",
        readonly=False,
        domain="[('company_id', 'in', [company_id, False])]",
    )

    @api.depends("company_id")
    def _compute_stripe_webhook_info(self):
        for settings in self:
            company = settings.company_id
            last = (
                self.env["helpdesk.stripe.event"]
                .sudo()
                .search([("company_id", "=", company.id)], order="id desc", limit=1)
            )
            settings.stripe_webhook_url = company._stripe_webhook_url()
            settings.stripe_webhook_events = ", ".join(HANDLED_WEBHOOK_EVENTS)
            settings.stripe_last_event_type = last.event_type
            settings.stripe_last_event_date = last.received_date

    def set_values(self):
        res = super().set_values()
        if self.stripe_webhook_secret_input:
            self.company_id._stripe_set_webhook_secret(self.stripe_webhook_secret_input)
            self.stripe_webhook_secret_input = False
        return res

    # === ACTION METHODS === #

    def action_stripe_webhook_forget(self):
        """Erase the signing secret: deliveries are refused until a new one."""
        self.ensure_one()
        self.company_id._stripe_set_webhook_secret(False)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _stripe_local_url(self, path):
        """This server's own address, as seen from this machine."""
        host = config.get("http_interface") or "127.0.0.1"
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{config.get('http_port') or 8069}{path}"

    def action_stripe_webhook_test(self):
        """Send a signed test event to this server's webhook and show the answer.

        It proves the route answers and the saved signing secret verifies;
        Stripe reaching the public URL is checked in Stripe's dashboard.
        """
        self.ensure_one()
        company = self.company_id
        company._stripe_check_admin()
        secret = company.sudo().stripe_webhook_secret
        if not secret:
            raise UserError(
                self.env._(
                    "Save the endpoint's signing secret first (it starts with whsec_)."
                )
            )
        url = self._stripe_local_url(WEBHOOK_PATH % company.id)
        status, text = webhooks.post_signed(
            url, webhooks.build_test_event(company.id), secret
        )
        if status == 200:
            kind, title = "success", self.env._("Webhook works")
            message = self.env._(
                "The webhook answered and verified the test event's signature "
                "with the saved secret. Stripe must reach it at %(url)s.",
                url=company._stripe_webhook_url(),
            )
        else:
            kind, title = "danger", self.env._("Webhook test failed")
            message = self._stripe_webhook_test_failure(url, status, text)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind != "success",
            },
        }

    def _stripe_webhook_test_failure(self, url, status, text):
        if status is None:
            return self.env._(
                "Nothing answered at %(url)s (%(error)s). A server running a "
                "single worker cannot answer itself: Stripe's own deliveries "
                "are not affected.",
                url=url,
                error=text,
            )
        if status == 404:
            return self.env._(
                "%(url)s answered 404. With several databases on this server, "
                "set a database filter (dbfilter) so webhooks reach this one.",
                url=url,
            )
        return self.env._(
            "%(url)s answered HTTP %(status)s: %(answer)s",
            url=url,
            status=status,
            answer=text,
        )
