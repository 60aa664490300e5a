"""Products and services an owner lists on their business (see ``docs/owners.md``)."""
