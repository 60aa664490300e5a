"""What the site learns from its own readers: page events under a random visitor id.

``visitor`` decides whether a request may be recorded at all (Do-Not-Track, Global
Privacy Control, the opt-out cookie, robots) and owns the visitor cookie; ``events``
stores and reads the events; ``limits`` keeps any one visitor or address from flooding.
"""
