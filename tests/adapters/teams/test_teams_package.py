from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from adapters.teams.package import PACKAGE_DIR, build_package
from bot import Advisor

APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_follows_the_rules(advisor: Advisor) -> None:
    manifest = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifestVersion"] == "1.17" and "v1.17" in manifest["$schema"]
    [bot] = manifest["bots"]
    assert bot["botId"] == "{{MICROSOFT_APP_ID}}" == manifest["id"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    commands = [c for group in bot["commandLists"] for c in group["commands"]]
    assert len(commands) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    titles = [c["title"] for c in commands]
    assert {"help", "ask", "checklist", "ask-owner"} <= set(titles)
    named = [t.split(" ", 1)[1] for t in titles if t.startswith("checklist ")]
    assert set(named) == set(advisor.knowledge.checklists)
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_icons_have_the_required_sizes() -> None:
    assert png_size((PACKAGE_DIR / "color.png").read_bytes()) == (192, 192)
    assert png_size((PACKAGE_DIR / "outline.png").read_bytes()) == (32, 32)


def test_the_package_is_ready_to_upload(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["teams-package", "--app-id", APP_ID.upper(), "--out", str(tmp_path / "a.zip")]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "a.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
        assert png_size(package.read("color.png")) == (192, 192)
    with pytest.raises(ValueError):
        build_package("not-a-guid", tmp_path / "b.zip")
