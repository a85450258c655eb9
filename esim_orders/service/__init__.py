"""The service: fan-out over the configured providers, merge newest first, caches, and the
wiring that builds it from settings (real providers or the embedded sandbox)."""
