"""Ranking hints for owners: where a listing ranks and which missing fields would move it.

Every number comes from running the real search and recommendation services; a what-if
fills a field with the owner-edit write path inside a savepoint that is always rolled
back (``what_if.py``). ``docs/owners.md`` says what the hints never promise.
"""
