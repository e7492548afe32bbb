"""Bespoke economics (issue 22): rules a collective configures to reward participation, curate
content and fund initiatives. One module per mechanism; docs/economics.md describes them."""
