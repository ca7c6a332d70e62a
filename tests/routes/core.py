"""The Audit Log: administrators only, read-only (its URLs answer GET alone)."""

from tests.routes import ADMIN_ONLY, Route

ROUTES = [
    Route("core:audit_log", ADMIN_ONLY),
    Route("core:audit_log_csv", ADMIN_ONLY),
]
