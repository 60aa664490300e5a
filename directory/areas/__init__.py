"""Areas and categories: the gazetteer, the taxonomy, category inference and geocoding."""
