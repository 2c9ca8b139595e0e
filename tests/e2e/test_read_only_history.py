"""A history directory this process may read but not write is opened read-only: runs still
work, the person is told that nothing new is recorded, and the earlier runs stay visible, over
the wire and in the terminal.

Root ignores file permissions, so as root the directory is made truly read-only for the
server and the CLI under test: they run in their own mount namespace (`unshare -m`) where the
directory is bind-mounted read-only, which binds root too (EROFS). As any other user a chmod
is enough. Either way they meet a real read-only history directory, as a person does."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.session import session
from tests.e2e.terminal import cli

SAID = "it is opened read-only; earlier runs are shown, new runs are not recorded"
READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


@pytest.fixture
def read_only(home: Path) -> Iterator[Callable[[], list[str]]]:
    """Makes `home` (the history's directory) read-only for the processes started through
    the command it returns."""
    wrap = ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, str(home)]
    if os.geteuid() == 0 and (
        shutil.which("unshare") is None or subprocess.run([*wrap, "true"], check=False).returncode
    ):
        pytest.skip("running as root without a mount namespace: no directory is read-only")

    def make() -> list[str]:
        if os.geteuid() == 0:
            return wrap
        home.chmod(0o555)
        return []

    yield make
    home.chmod(0o755)  # pytest removes it


async def test_the_server_shows_earlier_runs_and_says_new_ones_are_not_kept(
    home: Path, folder: Path, read_only: Callable[[], list[str]]
) -> None:
    async with session(home, [folder]) as ses:
        earlier = await ses.run("hello")
    async with session(home, [folder], wrap=read_only()) as ses:
        assert (await ses.run("hello"))["status"] == "succeeded", "runs still work"
        runs = await ses.command("intentls.history")
        assert [r["runId"] for r in runs] == [earlier["runId"]]
        said = [m.message for m in ses.client.messages]
        assert any(SAID in m for m in said), said
        assert any("undo file" in m and "nothing is kept after it" in m for m in said), said
    async with session(home, [folder]) as ses:
        assert len(await ses.command("intentls.history")) == 1, "nothing new was written"


async def test_the_terminal_shows_earlier_runs_and_says_new_ones_are_not_kept(
    home: Path, folder: Path, read_only: Callable[[], list[str]]
) -> None:
    ran = cli(home, folder, "run", "hello")
    assert ran.returncode == 0, ran.stderr
    wrap = read_only()
    again = cli(home, folder, "run", "hello", wrap=wrap)
    assert again.returncode == 0, again.stderr
    assert SAID in again.stderr
    shown = cli(home, folder, "history", wrap=wrap)
    assert shown.returncode == 0, shown.stderr
    assert SAID in shown.stderr and "Traceback" not in shown.stderr
    assert shown.stdout.count("hello") == 1, shown.stdout
