"""Owner insights: counts of how a listing was seen and used (never who saw it)."""
