"""Coterie node package."""
