from warehouse.models.audit import *  # noqa: F403
from warehouse.models.charges import *  # noqa: F403
from warehouse.models.legal import *  # noqa: F403
from warehouse.models.reference import *  # noqa: F403
