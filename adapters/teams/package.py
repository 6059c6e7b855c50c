"""The Teams app package: manifest.json with the bot's id, and the two icons, zipped."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

__all__ = ["PACKAGE_DIR", "build_package"]

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent / "deploy" / "teams"
PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
APP_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def build_package(app_id: str, out: Path, source: Path = PACKAGE_DIR) -> Path:
    """Write the zip Teams accepts for upload; ``app_id`` is the bot's Microsoft App ID."""
    if not APP_ID.match(app_id):
        raise ValueError(f"{app_id!r} is not a Microsoft App ID (a GUID)")
    manifest = (source / "manifest.json").read_text(encoding="utf-8").replace(PLACEHOLDER, app_id.lower())
    json.loads(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", manifest)
        package.write(source / "color.png", "color.png")
        package.write(source / "outline.png", "outline.png")
    return out
