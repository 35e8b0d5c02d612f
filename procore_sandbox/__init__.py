"""A local Procore for demos, development and tests.

It plays Procore's side of the ERP Integrations Tool: OAuth, the REST endpoints the portal calls,
webhook deliveries, and web pages where a person presses the buttons Procore's users press. It
shares no tables or code with the portal (``integrations``) and is reached only over HTTP.
"""
