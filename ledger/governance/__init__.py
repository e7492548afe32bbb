"""Governance: decision policies, proposals with typed actions, voting, tallies, processing."""
