"""``cipsurvey serve``: a local web page over the library, for people who do not use a
terminal. ``server`` starts it (127.0.0.1, a random key), ``guard`` checks every request,
``web`` holds the pages, ``store`` the private folder of uploads, ``problems`` the
problems table's filters. The page computes nothing itself: it calls what the command line
calls.
"""
