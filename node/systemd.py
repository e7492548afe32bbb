"""The systemd unit `coterie init` writes next to the config (`config/coterie.service`).

Restart policy: `Restart=on-failure` after 5 s. A node that stops on a consensus failure (a disk
that refuses a write) or is killed comes back and resumes from its last committed block, its WAL
and its sign state (docs/operating.md, "Recovery"); a clean stop (`systemctl stop`, SIGTERM,
exit 0) stays stopped. A node that refuses to start (a missing sign state, a database of another
chain) fails the same way every time: after 5 failed starts in 10 minutes systemd gives up and
the unit shows `failed`, so the one-line reason stays at the end of `journalctl -u coterie`
instead of scrolling away in a restart loop.

`LimitNOFILE=65536`: the node raises its soft limit to the hard one at start and shares it out
(node/fdbudget.py); 65,536 leaves room for the default API and P2P connection caps with LevelDB's
open tables. `TimeoutStopSec=60`: a clean stop closes peers, the API and the database; SIGKILL
after a minute is still safe (every block and every signature is synced before it counts).
"""

from __future__ import annotations

import shlex
from pathlib import Path

UNIT_NAME = "coterie.service"
LIMIT_NOFILE = 65_536


def render_unit(home: Path, executable: str, user: str, moniker: str) -> str:
    """The unit text for the node of `home`, run as `user` with the `coterie` at `executable`."""
    start = shlex.join([executable, "start", "--home", str(home)])
    return f"""# Coterie node {moniker}: install with
#   sudo cp {home}/config/{UNIT_NAME} /etc/systemd/system/{UNIT_NAME}
#   sudo systemctl daemon-reload && sudo systemctl enable --now coterie
# Logs: journalctl -u coterie -f. docs/operating.md, "Running as a service".
[Unit]
Description=Coterie node {moniker}
Wants=network-online.target
After=network-online.target time-sync.target
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
Type=simple
User={user}
ExecStart={start}
Restart=on-failure
RestartSec=5
KillSignal=SIGTERM
TimeoutStopSec=60
LimitNOFILE={LIMIT_NOFILE}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
"""
