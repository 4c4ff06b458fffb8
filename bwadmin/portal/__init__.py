"""The factory portal at /factory/."""
