"""OpenAPI components of the collective, governance, split and content read endpoints."""

from __future__ import annotations

from node.api.openapi_schemas import (
    ADDRESS,
    BOOL,
    HASH,
    HEX,
    INT,
    OBJ,
    STR,
    Schema,
    array,
    nullable,
    obj,
    ref,
)

STATE_SCHEMAS: dict[str, Schema] = {
    "CollectiveList": obj(
        {"collectives": array(obj({"id": HEX, "name": STR, "created_height": INT}))}
    ),
    "Collective": obj(
        {
            "id": HEX,
            "name": STR,
            "metadata": STR,
            "creator": ADDRESS,
            "created_height": INT,
            "classes": array(OBJ),
            "params": OBJ,
            "height": INT,
            "member_count": INT,
            "members": array(
                obj(
                    {
                        "address": ADDRESS,
                        "joined_ms": INT,
                        "expires_ms": INT,
                        "jailed": BOOL,
                        "holdings": {"type": "object", "additionalProperties": INT},
                        "claimable": array(obj({"class": INT, "asset": STR, "amount": INT})),
                    }
                )
            ),
            "members_truncated": BOOL,
            "supply": array(obj({"class": INT, "name": STR, "kind": STR, "supply": INT})),
            "treasury": array(
                obj(
                    {
                        "asset": STR,
                        "collective": nullable(HEX),
                        "token_class": nullable(INT),
                        "amount": INT,
                    }
                )
            ),
            "holder_pools": array(obj({"class": INT, "asset": STR, "unclaimed": INT})),
            "policies": array(obj({"kind": STR, "override": BOOL, "policy": OBJ})),
        },
        {"proof": ref("ProofBundle")},
    ),
    "Proposal": obj(
        {
            "id": INT,
            "collective": HEX,
            "kind": STR,
            "kind_number": INT,
            "proposer": ADDRESS,
            "actions": array(obj({"tag": STR, "kind": STR})),
            "method": STR,
            "choices": array(STR),
            "status": STR,
            "final": BOOL,
            "metadata": STR,
            "submitted_ms": INT,
            "end_ms": INT,
            "tally": array(INT),
            "next_deadline": nullable(obj({"what": STR, "ms": INT})),
            "live_tally": nullable(OBJ),
            "ballots_cast": INT,
        },
        {"proof": ref("ProofBundle")},
    ),
    "ProposalList": obj(
        {"collective": HEX, "proposals": array(ref("Proposal")), "next_before": nullable(INT)}
    ),
    "Party": obj({"kind": STR, "id": STR}),
    "SearchResult": obj(
        {
            "query": STR,
            "height": INT,
            "matches": array(obj({"kind": STR, "id": STR}, {"status": STR, "height": INT})),
        }
    ),
    "CollectiveSplits": obj(
        {
            "collective": HEX,
            "height": INT,
            "splits": array(
                obj(
                    {
                        "id": HASH,
                        "roles": array(STR),
                        "owner": nullable(ref("Party")),
                        "recipients": INT,
                        "mode": STR,
                        "balance": INT,
                        "created_height": INT,
                    }
                )
            ),
        }
    ),
    "CollectiveContent": obj(
        {
            "collective": HEX,
            "height": INT,
            "content": array(
                obj(
                    {
                        "hash": HASH,
                        "author": ADDRESS,
                        "uri": STR,
                        "kind": STR,
                        "collective": nullable(HEX),
                        "moderation": nullable(OBJ),
                    }
                )
            ),
        }
    ),
    "Split": obj(
        {
            "id": HASH,
            "height": INT,
            "owner": nullable(ref("Party")),
            "pending_owner": nullable(ref("Party")),
            "immutable": BOOL,
            "version": INT,
            "created_height": INT,
            "recipients": array(obj({"party": ref("Party"), "share": INT})),
            "total_shares": INT,
            "fee_ppm": INT,
            "mode": STR,
            "locked_until_ms": INT,
            "tranches": array(obj({"party": ref("Party"), "cap": INT})),
            "balance": INT,
            "ledger": nullable(OBJ),
        },
        {"proof": ref("ProofBundle")},
    ),
    "SplitPayouts": obj(
        {
            "split": HASH,
            "payouts": array(
                obj(
                    {
                        "seq": INT,
                        "kind": STR,
                        "height": INT,
                        "time_ms": INT,
                        "source": ref("Party"),
                        "amount": INT,
                        "fee": INT,
                        "memo": STR,
                        "payouts": array(obj({"party": ref("Party"), "amount": INT})),
                    }
                )
            ),
            "next_seq": nullable(INT),
        }
    ),
    "CollectiveStreams": obj(
        {"collective": HEX, "height": INT, "streams": array(ref("Stream"))},
    ),
    "CurationRound": obj(
        {
            "id": INT,
            "height": INT,
            "collective": HEX,
            "proposal_id": INT,
            "terms": OBJ,
            "open_height": INT,
            "start_ms": INT,
            "end_ms": INT,
            "status": STR,
            "endorsements": INT,
            "paid": INT,
            "open": BOOL,
            "live": array(obj({"to": ADDRESS, "amount": INT})),
        },
    ),
    "CollectiveRounds": obj(
        {"collective": HEX, "height": INT, "rounds": array(ref("CurationRound"))},
    ),
    "MatchingRound": obj(
        {
            "id": INT,
            "height": INT,
            "collective": HEX,
            "proposal_id": INT,
            "pool": INT,
            "cap": INT,
            "start_ms": INT,
            "end_ms": INT,
            "status": STR,
            "matched": INT,
            "unmatched_now": INT,
            "initiatives": array(
                obj(
                    {
                        "index": INT,
                        "party": OBJ,
                        "purpose": STR,
                        "contributors": INT,
                        "contributed": INT,
                        "match_now": INT,
                    }
                )
            ),
        },
    ),
    "Standing": obj(
        {
            "collective": HEX,
            "member": ADDRESS,
            "height": INT,
            "at_ms": INT,
            "points": INT,
            "micro_points": INT,
            "last_act_ms": INT,
            "vote_bonus": INT,
            "policy": nullable(OBJ),
        },
    ),
    "CollectiveMatchings": obj(
        {"collective": HEX, "height": INT, "matchings": array(ref("MatchingRound"))},
    ),
    "Economics": obj(
        {
            "collective": HEX,
            "height": INT,
            "at_ms": INT,
            "policy": nullable(OBJ),
            "reward_schedule": nullable(
                obj({"budget": INT, "period_s": INT, "due_ms": INT, "proposal_id": INT})
            ),
        },
    ),
    "Stream": obj(
        {
            "id": INT,
            "height": INT,
            "collective": HEX,
            "recipient": ADDRESS,
            "asset": STR,
            "schedule": OBJ,
            "claimed": INT,
            "status": STR,
            "total": INT,
            "claimable": INT,
            "claimable_at_ms": INT,
            "proposal_id": INT,
        },
        {"proof": ref("ProofBundle")},
    ),
    "Content": obj(
        {
            "hash": HASH,
            "height": INT,
            "author": ADDRESS,
            "uri": STR,
            "kind": STR,
            "collective": nullable(HEX),
            "moderation": nullable(OBJ),
            "moderation_history": array(OBJ),
        },
        {"proof": ref("ProofBundle")},
    ),
}
