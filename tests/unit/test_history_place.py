"""Where the history is by default: on Linux the XDG rule read directly must give what
platformdirs gives (servers and terminals of every version must find the same file)."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from intentls.history.place import user_data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")
@pytest.mark.parametrize("xdg", [None, "", "relative/data", "/abs/data", "/abs/data/"])
def test_the_user_data_directory_is_platformdirs_one(
    xdg: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert user_data() == platformdirs.user_data_path(appauthor=False)


def test_remembered_trust_grants_stay_where_platformdirs_put_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intentls.trust import default_grants_path

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    expected = platformdirs.user_data_path("intentls", appauthor=False) / "trusted-folders.json"
    assert default_grants_path() == expected
