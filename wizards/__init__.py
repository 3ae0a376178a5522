from . import helpdesk_stripe_link_wizard
from . import helpdesk_stripe_customer_wizard
