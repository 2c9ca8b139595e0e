"""The terminal link's registry (who serves which folder, reached how) and the server's reading
of a request, on real directories and sockets."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from intentls.link import registry
from intentls.link.server import _ask

VERSION = "9.9"


def entry(folders: list[str], version: str = VERSION, protocol: int = 1) -> dict[str, object]:
    return {"protocol": protocol, "version": version, "pid": os.getpid(), "folders": folders}


def test_the_directory_is_private_or_not_used(tmp_path: Path) -> None:
    made = tmp_path / "h.db.servers"
    assert registry.private_dir(made, create=True)
    assert made.stat().st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert not registry.private_dir(shared, create=False), "others may enter it"
    link = tmp_path / "link"
    link.symlink_to(made)
    assert not registry.private_dir(link, create=False), "a link to it is not it"
    assert not registry.private_dir(tmp_path / "missing", create=False)


def test_servers_are_found_by_folder_and_version_deepest_first(tmp_path: Path) -> None:
    d = tmp_path / "servers"
    registry.private_dir(d, create=True)
    registry.write_entry(d, "top", entry(["/w"]))
    registry.write_entry(d, "deep", entry(["/w/pkg", "/elsewhere"]))
    registry.write_entry(d, "old", entry(["/w/pkg/x"], version="0.0"))
    registry.write_entry(d, "future", entry(["/w/pkg/x"], protocol=2))
    (d / "broken.json").write_text("{", encoding="utf-8")
    assert registry.serving(d, "/w/pkg/x", VERSION) == ["deep", "top"]
    assert registry.serving(d, "/w", VERSION) == ["top"]
    assert registry.serving(d, "/wider", VERSION) == [], "a prefix of a name is not a parent"


def test_a_socket_in_a_long_path_is_reached_through_its_directory(tmp_path: Path) -> None:
    d = tmp_path / ("x" * 120)
    registry.private_dir(d, create=True)
    with socket.socket(socket.AF_UNIX) as server:
        with registry.address(d, "s.sock") as where:
            server.bind(where)
        server.listen()
        assert (d / "s.sock").exists()
        client = registry.connect(d, "s", 1.0)
        assert client is not None
        client.close()


def test_a_stale_entry_is_removed_when_nobody_listens(tmp_path: Path) -> None:
    d = tmp_path / "servers"
    registry.private_dir(d, create=True)
    registry.write_entry(d, "dead", entry([str(tmp_path)]))
    with socket.socket(socket.AF_UNIX) as gone, registry.address(d, "dead.sock") as where:
        gone.bind(where)  # bound, never listening: a server that died
    assert registry.connect(d, "dead", 1.0) is None
    assert not (d / "dead.json").exists() and not (d / "dead.sock").exists()
    assert registry.connect(d, "never", 1.0) is None


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_reach_the_socket(tmp_path: Path) -> None:
    d = tmp_path / "servers"
    registry.private_dir(d, create=True)
    with socket.socket(socket.AF_UNIX) as server:
        with registry.address(d, "s.sock") as where:
            server.bind(where)
        server.listen()
        pid = os.fork()
        if pid == 0:  # the child: another user
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if registry.connect(d, "s", 1.0) is None else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "nobody connected"
    assert (d / "s.sock").exists(), "and could not remove it either"


GOOD = {
    "protocol": 1,
    "version": VERSION,
    "intent": "test",
    "cwd": "/w",
    "params": ["a=b"],
    "yes": False,
    "force": False,
    "env": {"PATH": "/bin"},
    "tty": False,
}


@pytest.mark.parametrize(
    "change",
    [
        {"cwd": "relative/dir"},
        {"intent": 3},
        {"env": {"PATH": 1}},
        {"params": [1]},
        {"yes": "yes"},
        {"tty": None},
    ],
)
def test_a_malformed_request_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _ask(json.dumps({**GOOD, **change}).encode())


def test_a_well_formed_request_is_read() -> None:
    assert _ask(json.dumps(GOOD).encode())["params"] == ["a=b"]
    with pytest.raises(ValueError):
        _ask(b"[1, 2]")
