"""The mempool: admission of signed txs, fair reaping for the proposer, re-check after blocks."""

from node.mempool.limits import MempoolLimits
from node.mempool.pool import Mempool
from node.mempool.results import Admission, MempoolStats, UpdateReport
from node.mempool.verifier import SignatureVerifier

__all__ = [
    "Admission",
    "Mempool",
    "MempoolLimits",
    "MempoolStats",
    "SignatureVerifier",
    "UpdateReport",
]
