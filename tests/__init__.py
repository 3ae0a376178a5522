from . import test_connection
from . import test_autolink
from . import test_panel
from . import test_tour_panel
from . import test_access_rpc
from . import test_refund
