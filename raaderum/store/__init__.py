"""The app store: the read-write database (SQLite file or PostgreSQL) behind everything users write.

* :mod:`~raaderum.store.engine`     engines, migrations and the schema check
* :mod:`~raaderum.store.models`     every table of the app store, in one place
* :mod:`~raaderum.store.migrations` Alembic migrations (the schema's history)
* :mod:`~raaderum.store.audit`      writing and reading the audit log
* :mod:`~raaderum.store.ideas`      the idea bank's proposals and its search index
* :mod:`~raaderum.store.committees` municipalities' committee mappings
* :mod:`~raaderum.store.levers`     the knowledge portal as shown: shipped levers with the operator's edits
* :mod:`~raaderum.store.backup`     backup and restore of every table

No permission is checked here: that is the job of :mod:`raaderum.server`, which calls this layer.
"""
