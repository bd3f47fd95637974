"""The services: every state change of the multi-user server, each a function that takes the acting user,
checks the permission from the one authorisation table (:mod:`~raaderum.server.permissions`), makes the change
and writes its audit row in one transaction. The web routes and the CLI both call these functions.

* :mod:`~raaderum.server.permissions` roles, actions and THE authorisation table
* :mod:`~raaderum.server.accounts`    passwords, authentication and the users service (add, disable)
* :mod:`~raaderum.server.sessions`    login sessions and login rate limiting
* :mod:`~raaderum.server.imports`     the operator's import of idea-bank workbooks
* :mod:`~raaderum.server.levers`      the operator's edits of the knowledge portal
* :mod:`~raaderum.server.workspace`   the municipal workspace (shortlists, share links, own proposals, notes)
"""
