"""The shared client: transport, auth, errors, one module per provider, and the service."""
