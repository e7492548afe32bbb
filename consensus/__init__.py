"""Coterie consensus package."""
