"""Pages of the domain that more than one layout mounts (the admin, the self-service portal)."""
