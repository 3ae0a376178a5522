# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # One Stripe account per company, so one customer id per company too.
    stripe_customer_id = fields.Char(
        string="Stripe customer",
        company_dependent=True,
        copy=False,
        help="Stripe customer of this contact in the current company's Stripe "
        "account; later tickets of the contact reuse it.",
    )
