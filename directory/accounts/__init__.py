"""Who acts: admin and edit tokens, owners as actors, and the audit log of what they did."""
