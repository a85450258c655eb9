"""The shared client: transport (retries, deadline, read-only guard), auth, provider error
answers, and the interface every provider's client implements (`base.ProviderClient`)."""
