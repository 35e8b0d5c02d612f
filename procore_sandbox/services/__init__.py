"""The sandbox's business logic, shared by the API views, the web pages and the ``sandbox``
command, so that every button has exactly one implementation."""
