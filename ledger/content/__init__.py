"""Content anchors and moderation decisions: the chain keeps the record so no operator can
silently delete it. docs/splits.md (section Content) states the rules."""
