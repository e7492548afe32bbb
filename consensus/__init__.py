"""Coterie consensus: the Tendermint algorithm as a pure state machine, and what it votes with.

Entry points: `machine.ConsensusMachine` (inputs in, `actions` out), `validators.ValidatorSet`,
`commit.verify_commit`, `signer.Signer` (the double-sign guard), `evidence.verify_evidence`.
See docs/consensus.md.
"""
