"""The tamper-evident audit ledger: every action, in an append-only RFC 6962 Merkle tree
with signed checkpoints, written in the same transaction as the action it records."""
