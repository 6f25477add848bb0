"""Reports: computed results protected (``protect``), then rendered: tables for reading
(``display``), figures (``figures``, drawn in a worker by ``drawing``) and the files
(``outputs``: HTML, Word, Excel, JSON). Renderers never compute a statistic.
"""
