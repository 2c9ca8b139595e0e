"""Cargo and Go: their everyday commands where the manifest exists."""

from __future__ import annotations

from pathlib import Path

from intentls.planning.sources.cargo import CargoSource
from intentls.planning.sources.go import GoSource
from tests.unit.source_fixtures import commands, project


def test_cargo_package(tmp_path: Path) -> None:
    folder = project(tmp_path, "rust")
    result = CargoSource().detect(folder, trusted=False)
    assert result.problems == []
    assert {i.name: commands(i) for i in result.intents} == {
        "build": ["cargo build"],
        "test": ["cargo test"],
        "check": ["cargo check"],
        "clippy": ["cargo clippy"],
        "fmt": ["cargo fmt"],
        "run": ["cargo run"],
    }
    assert all(
        i.source == "cargo" and i.defined_in == folder / "Cargo.toml" for i in result.intents
    )


def test_cargo_virtual_workspace_has_nothing_to_run(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["a"]\n', encoding="utf-8")
    names = [i.name for i in CargoSource().detect(tmp_path, True).intents]
    assert names == ["build", "test", "check", "clippy", "fmt"]


def test_cargo_at_a_workspace_root_acts_on_the_workspace(tmp_path: Path) -> None:
    manifest = '[package]\nname = "root"\nversion = "0.1.0"\n[workspace]\nmembers = ["a"]\n'
    (tmp_path / "Cargo.toml").write_text(manifest, encoding="utf-8")
    assert {i.name: commands(i) for i in CargoSource().detect(tmp_path, True).intents} == {
        "build": ["cargo build --workspace"],
        "test": ["cargo test --workspace"],
        "check": ["cargo check --workspace"],
        "clippy": ["cargo clippy --workspace"],
        "fmt": ["cargo fmt --all"],
        "run": ["cargo run"],
    }


def test_cargo_broken_manifest(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package\n", encoding="utf-8")
    result = CargoSource().detect(tmp_path, True)
    assert result.intents == [] and result.problems[0].startswith("Cargo.toml")


def test_go_module(tmp_path: Path) -> None:
    folder = project(tmp_path, "go")
    result = GoSource().detect(folder, trusted=False)
    assert {i.name: commands(i) for i in result.intents} == {
        "build": ["go build ./..."],
        "test": ["go test ./..."],
        "vet": ["go vet ./..."],
    }
    assert GoSource().watched_files(folder) == [folder / "go.mod"]


def test_go_mod_without_module(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("go 1.22\n", encoding="utf-8")
    result = GoSource().detect(tmp_path, True)
    assert result.intents == [] and result.problems == ["go.mod: no module directive"]


def test_neither(tmp_path: Path) -> None:
    assert CargoSource().detect(tmp_path, True).intents == []
    assert GoSource().detect(tmp_path, True).intents == []
