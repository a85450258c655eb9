"""The shared client: transport (retries, deadline, read-only guard), auth, provider error
answers, and one module per provider's wire format."""
