"""Reports: computed results protected (``protect``), shaped once into the tables of a
publication (``publication``, gathered and numbered in a ``document`` with its key
``findings`` and ``methods``), then written by one module per format (``html``, ``word``,
``excel``, ``jsonout``; ``outputs`` writes them all) with the figures (``figures``, drawn in a
worker by ``drawing``). Numbers are formatted by ``cipsurvey.lang.numbers``. Renderers never
compute a statistic.
"""
