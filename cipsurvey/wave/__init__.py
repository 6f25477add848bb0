"""A wave of answers: files read through ``cipsurvey.io``, coerced to the instrument's codes
(``coerce``), validated (``validate``), with derived variables (``derive``), as a
``Survey`` (``survey``); several waves form a ``Study`` (``study``); ``export`` writes a
wave back out and ``privacy`` pseudonymises its ids.
"""
