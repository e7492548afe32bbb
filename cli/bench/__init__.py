"""`coterie bench`: end-to-end throughput and latency of a local testnet under a transfer load.

One job per module: `load` pre-signs the transfers, `ceiling` measures this machine's Ed25519
verify rate, `driver` submits the load and watches commits, `report` turns samples into figures,
`run` puts a temporary testnet around it all and always tears it down.
"""
