"""Analyses over a data release: pure functions of the figures, no database, no HTTP.

* :mod:`~raaderum.analysis.key_figures`   nøgletal: unit costs per area and function, national figures, ranks
* :mod:`~raaderum.analysis.prices`        price basis: current prices or fixed prices of a base year
* :mod:`~raaderum.analysis.peers`         peer models and where peers (sammenligningskommuner) are chosen
* :mod:`~raaderum.analysis.benchmark`     references, potentials and bootstrap bands (råderumsbenchmark)
* :mod:`~raaderum.analysis.need`          need correction (udgiftsbehov) by regression
* :mod:`~raaderum.analysis.decomposition` LMDI decomposition: demography × coverage × unit cost
* :mod:`~raaderum.analysis.scope`         what the figures cover of the municipality's service expenditure
"""
