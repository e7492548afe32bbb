"""The one error-code enum of the ledger, and the exception that carries a code.

Exception tree:
    ValueError
      MalformedError (ledger.codec)      undecodable or non-canonical bytes: the sender's fault
      TxError                            a well-formed tx that the rules reject, with an ErrorCode

Codes below 100 are stateless (the tx itself is wrong: never valid, a peer relaying it is at fault);
codes from 100 are stateful (valid elsewhere or later, so temporary from a peer's point of view).
Codes 200-249 belong to the node's mempool admission (node/mempool): a tx that the ledger might
accept but that the pool will not hold now; they are temporary and never appear in a receipt.
Numbers are stable; a retired number is never reused.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    OK = 0
    # stateless: the transaction is malformed or unsigned
    MALFORMED = 1
    TOO_LARGE = 2
    WRONG_CHAIN = 3
    BAD_SIGNATURE = 4
    UNKNOWN_KIND = 5
    INVALID_PAYLOAD = 6
    FEE_TOO_LOW = 7
    SELF_TRANSFER = 8
    ZERO_AMOUNT = 9
    INVALID_BALLOT = 10
    INVALID_ACTION = 11
    INVALID_POLICY = 12
    INVALID_PARAMS = 13
    DUPLICATE_ENTRY = 14
    # stateless, revenue splits (40-49) and content (50-59)
    SPLIT_BAD_RECIPIENTS = 40
    SPLIT_SHARES_MISMATCH = 41
    SPLIT_FEE_TOO_HIGH = 42
    SPLIT_BAD_TRANCHES = 43
    SPLIT_BAD_OWNER = 44
    SPLIT_CONSENT_INVALID = 45
    CONTENT_BAD_RECORD = 50
    # stateless, treasury and moderation (60-69)
    STREAM_BAD_SCHEDULE = 60
    # stateful: depends on the current state
    BAD_NONCE = 100
    NONCE_TOO_HIGH = 101
    INSUFFICIENT_FUNDS = 102
    OVERFLOW = 103
    UNAUTHORIZED = 104
    NOT_FOUND = 105
    ALREADY_EXISTS = 106
    INVALID_STATE = 107
    NOT_MEMBER = 108
    JAILED = 109
    VOTING_CLOSED = 110
    ALREADY_VOTED = 111
    EXIT_LOCKED = 112
    ADMISSION_CLOSED = 113
    NO_VOTING_POWER = 114
    NOT_TRANSFERABLE = 115
    TOO_MANY_PROPOSALS = 116
    PROPOSAL_EXPIRED = 117
    ROLE_LOCKED = 118
    COMMITMENT_MISMATCH = 119
    LIMIT_REACHED = 120
    MEMBERSHIP_LAPSED = 121
    # stateful, economics: curation rounds, matching, reputation (130-149)
    ROUND_CLOSED = 130
    SELF_ENDORSEMENT = 131
    CONTENT_NOT_ELIGIBLE = 132
    ENDORSER_NOT_ELIGIBLE = 133
    SELF_FUNDING = 134
    STANDING_TOO_LOW = 135
    DELIVERABLE_ACCEPTED = 136  # a funded item's deliverable was accepted already
    NOT_FUNDED = 137  # what an acceptance names is not work this collective funded
    ROUND_NOT_OPEN = 138  # closing a round that has settled already
    # stateful, treasury, streams, multisig queue and moderation (150-169)
    ALLOWANCE_EXCEEDED = 150
    NOTHING_TO_CLAIM = 151
    ASSET_NOT_ACCEPTED = 152
    QUEUE_OUT_OF_ORDER = 153
    STREAM_CLOSED = 154
    MODERATION_OUT_OF_SCOPE = 155
    NO_HOLDERS = 156
    # stateful, revenue splits (170-189) and content (190-199)
    SPLIT_CYCLE = 170
    SPLIT_IMMUTABLE = 171
    SPLIT_LOCKED = 172
    SPLIT_CONSENT_MISSING = 173
    SPLIT_STALE_VERSION = 174
    SPLIT_NOTHING_TO_DISTRIBUTE = 175
    SPLIT_NO_PENDING_OWNER = 176
    SPLIT_UNSUPPORTED_PARTY = 177
    SPLIT_GRAPH_TOO_LARGE = 178
    CONTENT_NOT_A_MEMBER = 190
    # mempool admission (node/mempool), 200-249: the pool's own limits, always temporary
    MEMPOOL_FULL = 200
    SENDER_CAP = 201
    DUPLICATE = 202
    NONCE_IN_POOL = 203

    @property
    def is_permanent(self) -> bool:
        """True when the tx can never become valid, so a peer that relays it misbehaves."""
        return 0 < self.value < 100


class TxError(ValueError):
    """A transaction rejected by the rules; `code` says which rule."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
