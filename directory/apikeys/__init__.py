"""API keys for clients that write through the API (``POST /api/v1/interactions``)."""
