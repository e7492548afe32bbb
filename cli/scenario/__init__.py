"""`coterie scenario run`: a real local testnet driven through load and faults, then checked.

manifest   the TOML file: validators, genesis parameters, load, perturbations, duration, seed
links      the user-space link proxies that partition, delay, jitter and drop between nodes
procs      the node processes (process groups), their disks, and what is left behind
observe    what the runner measures while the run goes: heights, peers, blocks, the load
oracles    the checks after every run (pure functions over what was collected)
run        one run, end to end, always torn down
series     the measured series shared with `coterie sim`'s report
plots      the report folder: JSON, Markdown summary, self-contained HTML with SVG plots
"""
