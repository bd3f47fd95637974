"""The web application (server-rendered Danish pages and a JSON API under /api/v1). Thin: the core computes."""

from raaderum.web.app import create_app

__all__ = ["create_app"]
