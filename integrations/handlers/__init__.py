"""What to do for each ``request_name`` of Procore's events dictionary.

One module per section of the dictionary (``vendors``, ``standard_cost_codes``, ``cost_types``,
``metadata``, …), named as in ``registry.SECTIONS``; each registers its handlers with
``registry.register``. The app registers them all when it is ready; the engine imports only
``registry``.
"""
