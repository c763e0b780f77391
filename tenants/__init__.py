"""Villages as tenants: the official region list, village sites, their hosts and the scoped path."""
