"""Coterie cli package."""
