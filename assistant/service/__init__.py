"""The HTTP service (``assistant serve``): the intake API, health, readiness and metrics.
``create_app`` builds it; other routers (the Meta webhooks) are included with
``app.include_router`` and store messages through ``intake.accept_messages``."""
