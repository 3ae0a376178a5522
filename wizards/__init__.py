from . import helpdesk_stripe_link_wizard
from . import helpdesk_stripe_customer_wizard
from . import helpdesk_stripe_action_mixin
from . import helpdesk_stripe_refund_wizard
from . import helpdesk_stripe_cancel_wizard
from . import helpdesk_stripe_cancel_wizard_action
