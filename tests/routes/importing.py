"""Admin > Basic Setup > Import: administrators only."""

from tests.routes import ADMIN_ONLY, Route

ROUTES = [
    Route("importing:import_list", ADMIN_ONLY),
    Route("importing:import_detail", ADMIN_ONLY, obj="import_run"),
    Route("importing:import_start", ADMIN_ONLY, obj="import_run", method="post"),
]
