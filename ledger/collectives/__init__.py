"""Collectives: token classes and holdings, membership, treasuries, delegation, exits."""
