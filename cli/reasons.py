"""Every `ErrorCode` explained in words, for a member whose tx was refused.

The texts follow the ledger's docs (docs/governance.md, docs/treasury.md, docs/splits.md,
docs/mempool.md); the node's own reason (its message) is printed beside them.
"""

from __future__ import annotations

from ledger.errors import ErrorCode

EXPLANATIONS: dict[ErrorCode, str] = {
    ErrorCode.OK: "accepted",
    ErrorCode.MALFORMED: "the tx bytes do not decode (a wallet bug or a damaged file)",
    ErrorCode.TOO_LARGE: "the tx is larger than the chain allows",
    ErrorCode.WRONG_CHAIN: "the tx was built for another chain id",
    ErrorCode.BAD_SIGNATURE: "the signature does not verify for this chain's genesis",
    ErrorCode.UNKNOWN_KIND: "this chain does not know that kind of tx",
    ErrorCode.INVALID_PAYLOAD: "a field of the tx is invalid for this kind",
    ErrorCode.FEE_TOO_LOW: "the fee is below the chain's minimum (raise --fee)",
    ErrorCode.SELF_TRANSFER: "the sender and the recipient are the same",
    ErrorCode.ZERO_AMOUNT: "the amount must be above zero",
    ErrorCode.INVALID_BALLOT: "the ballot does not fit the proposal's voting method",
    ErrorCode.INVALID_ACTION: "an action of the proposal is invalid",
    ErrorCode.INVALID_POLICY: "a voting policy is invalid or names an unknown proposal kind",
    ErrorCode.INVALID_PARAMS: "the collective's parameters or token classes are out of bounds",
    ErrorCode.DUPLICATE_ENTRY: "an entry (founder, class, delegate, kind) is listed twice",
    ErrorCode.SPLIT_BAD_RECIPIENTS: "the split's recipients are invalid (none, unsorted, too many)",
    ErrorCode.SPLIT_SHARES_MISMATCH: "the split's shares do not match its recipients or total",
    ErrorCode.SPLIT_FEE_TOO_HIGH: "the split's distributor fee is above the limit",
    ErrorCode.SPLIT_BAD_TRANCHES: "the split's tranches are invalid",
    ErrorCode.SPLIT_BAD_OWNER: "the split's owner is invalid",
    ErrorCode.SPLIT_CONSENT_INVALID: "a recipient's consent signature is invalid",
    ErrorCode.CONTENT_BAD_RECORD: "the content record is invalid (hash, URI or kind)",
    ErrorCode.STREAM_BAD_SCHEDULE: "the stream's schedule is invalid",
    ErrorCode.BAD_NONCE: "the nonce was already used (another tx of this account came first)",
    ErrorCode.NONCE_TOO_HIGH: "the nonce is ahead of the account's next nonce",
    ErrorCode.INSUFFICIENT_FUNDS: "the account (or vault) holds too little for this tx and its fee",
    ErrorCode.OVERFLOW: "a balance or supply would exceed the largest amount",
    ErrorCode.UNAUTHORIZED: "the sender is not allowed to do this",
    ErrorCode.NOT_FOUND: "the collective, proposal, split, stream or class does not exist",
    ErrorCode.ALREADY_EXISTS: "it already exists (for example: already a member)",
    ErrorCode.INVALID_STATE: "not possible in the current state (check its status first)",
    ErrorCode.NOT_MEMBER: "the sender (or the person named) is not a member of the collective",
    ErrorCode.JAILED: "the member is jailed",
    ErrorCode.VOTING_CLOSED: "voting on this proposal is not open",
    ErrorCode.ALREADY_VOTED: "this account already voted (and the policy forbids changing a vote)",
    ErrorCode.EXIT_LOCKED: "a yes vote on a live proposal locks the exit until it is processed",
    ErrorCode.ADMISSION_CLOSED: "the collective does not take applications",
    ErrorCode.NO_VOTING_POWER: "the account has no voting power in this proposal's snapshot",
    ErrorCode.NOT_TRANSFERABLE: "that token class cannot be transferred (or not to this holder)",
    ErrorCode.TOO_MANY_PROPOSALS: "the proposer already has the most live proposals allowed",
    ErrorCode.PROPOSAL_EXPIRED: "the proposal's execution window has passed",
    ErrorCode.ROLE_LOCKED: "that role is locked",
    ErrorCode.COMMITMENT_MISMATCH: "the revealed vote does not match the committed one",
    ErrorCode.LIMIT_REACHED: "a limit is reached (members, tokens, entries)",
    ErrorCode.ALLOWANCE_EXCEEDED: "the spend is above what the allowance has left this period",
    ErrorCode.NOTHING_TO_CLAIM: "nothing is due to you yet (vested, or earned as a holder)",
    ErrorCode.ASSET_NOT_ACCEPTED: "the treasury does not accept that asset",
    ErrorCode.QUEUE_OUT_OF_ORDER: "an earlier multisig proposal must be processed first",
    ErrorCode.STREAM_CLOSED: "the stream is closed",
    ErrorCode.MODERATION_OUT_OF_SCOPE: "the moderation act is outside the moderator's scope",
    ErrorCode.NO_HOLDERS: "no one holds that class, so there is no one to pay",
    ErrorCode.SPLIT_CYCLE: "the split would pay into itself through a cycle",
    ErrorCode.SPLIT_IMMUTABLE: "the split is immutable",
    ErrorCode.SPLIT_LOCKED: "the split is locked",
    ErrorCode.SPLIT_CONSENT_MISSING: "a recipient has not consented to the split",
    ErrorCode.SPLIT_STALE_VERSION: "the split changed since this tx was built",
    ErrorCode.SPLIT_NOTHING_TO_DISTRIBUTE: "the split holds nothing to distribute",
    ErrorCode.SPLIT_NO_PENDING_OWNER: "no ownership transfer of this split is pending",
    ErrorCode.SPLIT_UNSUPPORTED_PARTY: "that kind of party cannot be paid by a split",
    ErrorCode.SPLIT_GRAPH_TOO_LARGE: "the split graph would be too large or too deep",
    ErrorCode.CONTENT_NOT_A_MEMBER: "only a member of the collective may anchor its content",
    ErrorCode.MEMPOOL_FULL: "the node's mempool is full: try again in a few seconds",
    ErrorCode.SENDER_CAP: "this account has the most pending txs a node holds: wait for a block",
    ErrorCode.DUPLICATE: "the same tx is already pending",
    ErrorCode.NONCE_IN_POOL: "another pending tx of this account holds that nonce",
}

NONCE_RACES = frozenset({ErrorCode.BAD_NONCE.name, ErrorCode.NONCE_IN_POOL.name})


def explain(code: str) -> str:
    """The words for an error code name ("" for an unknown name)."""
    try:
        return EXPLANATIONS.get(ErrorCode[code], "")
    except KeyError:
        return ""
