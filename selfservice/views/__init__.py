"""The portal's pages: each one reads through ``selfservice.selectors`` and acts through
``selfservice.services``; ``selfservice.access`` decides who may open it."""
