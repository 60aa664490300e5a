"""The bridge between the directory and the pure ``recommender`` library."""
