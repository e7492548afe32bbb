"""Coterie ledger package."""
