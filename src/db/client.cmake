# The asynchronous client, the pool and TenantTransaction.
