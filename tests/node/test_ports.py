import socket
from pathlib import Path

from node.ports import DEFAULT_EPHEMERAL, candidate_ports, ephemeral_range, free_ports


def test_ports_come_from_outside_the_ephemeral_range() -> None:
    low, high = ephemeral_range()
    ports = free_ports(8, "127.0.0.1")
    assert len(set(ports)) == 8
    assert all(not low <= p <= high and p >= 10000 for p in ports)


def test_each_port_is_handed_out_once_per_process() -> None:
    first = set(free_ports(20, "127.0.0.1"))
    second = set(free_ports(20, "127.0.0.1"))
    assert not first & second


def test_a_taken_port_is_never_chosen() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port not in free_ports(50, "127.0.0.1")


def test_the_ephemeral_range_file_is_read_or_defaulted(tmp_path: Path) -> None:
    source = tmp_path / "range"
    source.write_text("40000\t50000\n")
    assert ephemeral_range(source) == (40000, 50000)
    source.write_text("garbage")
    assert ephemeral_range(source) == DEFAULT_EPHEMERAL
    assert ephemeral_range(tmp_path / "missing") == DEFAULT_EPHEMERAL


def test_candidates_skip_the_ephemeral_range() -> None:
    ports = candidate_ports((20000, 60000))
    assert ports[0] == 10000 and 19999 in ports and 20000 not in ports
    assert 60000 not in ports and 60001 in ports and ports[-1] == 65535
