"""The routes, one module per part of the site: pages (public), api (JSON), login, workspace, admin, levers."""
