"""Reviews: one live review per reviewer per business, exact rating aggregates."""
