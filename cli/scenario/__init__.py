"""`coterie scenario run`: a real local testnet driven through load and faults, then checked.

manifest   the TOML file: validators, genesis parameters, load, perturbations, duration, seed
load       the pre-signed txs of the manifest's mix (transfers, treasury deposits)
links      the user-space link proxies that partition, delay, jitter and drop between nodes
procs      the node processes (process groups), their disks, and what is left behind
observe    what the runner measures while the run goes: heights, peers, blocks, the load
timeline   the perturbations' starts and ends on the run's clock
run        one run, end to end, always torn down (state: what it holds)
collect    every node's chain read back, the oracles' inputs, the measured series
oracles    the checks after every run (pure functions over what was collected)
series     the series' shape, shared with `coterie sim --report` (simseries)
report     the report folder: JSON, Markdown summary, self-contained HTML (plots: the SVGs)
"""
