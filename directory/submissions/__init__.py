"""Free submissions, owner edit tokens, claims and moderation (``docs/submissions.md``)."""
