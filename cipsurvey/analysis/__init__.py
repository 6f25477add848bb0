"""Analysis: a plan (``plan``) run on a wave (``run``, with ``forked`` for a second core)
gives ``Result`` tables at full precision (``results``, table names in ``tables``);
``compare`` does the same for two waves of a study. Nothing here formats or draws.
"""
