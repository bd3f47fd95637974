"""The data release: the immutable, checked set of figures every analysis reads.

* :mod:`~raaderum.release.municipalities` the register of the 98 municipalities (codes, names, groups, spelling)
* :mod:`~raaderum.release.reader`         opening a release and checking it (DuckDB in memory over Parquet)
* :mod:`~raaderum.release.build`          building a release from inputs (tables, estimates, manifest)
* :mod:`~raaderum.release.raw_inputs`     the inputs read from the raw files in ``data/raw``
* :mod:`~raaderum.release.statbank`       the client of Statistics Denmark's API
* :mod:`~raaderum.release.update`         a new release from the API, switched in atomically
"""
