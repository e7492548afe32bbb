"""Moderation by the collective: decisions on anchored content as proposal actions, the
moderator's immediate act with its automatic appeal, and the anchoring membership check.
docs/treasury.md (section Moderation) states the rules."""
