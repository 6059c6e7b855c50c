"""A stand-in Hugging Face hub on 127.0.0.1: the endpoints ``huggingface_hub``'s
``model_info`` and ``snapshot_download`` call, with the headers it insists on.

- ``GET /api/models/{repo}[/revision/{rev}]``: the commit (``sha``) and ``siblings``;
- ``GET /api/models/{repo}/tree/{rev}``: every file, recursive, large ones as LFS pointers;
- ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``: the file, with ``X-Repo-Commit`` (without it the
  client decides this is not a hub), ``ETag`` (the git blob id, or the sha256 for LFS files,
  sent also as ``X-Linked-Etag``) and ``Content-Length``;
- errors as the hub reports them: 404 with ``X-Error-Code`` RepoNotFound, RevisionNotFound or
  EntryNotFound, which huggingface_hub turns into its typed errors.

Every request is recorded, so a test can see what was downloaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from .live import Loop


@dataclass
class Repo:
    commit: str
    files: dict[str, bytes]

    @classmethod
    def from_directory(cls, directory: Path, seed: str = "") -> Repo:
        files = {
            p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()
        }
        digest = hashlib.sha1(seed.encode(), usedforsecurity=False)
        for path in sorted(files):
            digest.update(path.encode() + files[path])
        return cls(digest.hexdigest(), files)


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def is_lfs(path: str) -> bool:
    return path.endswith((".onnx", ".onnx_data"))


@dataclass
class StandInHub:
    repos: dict[str, Repo] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/models/{owner}/{name}", self.info)
        app.router.add_get("/api/models/{owner}/{name}/revision/{rev}", self.info)
        app.router.add_get("/api/models/{owner}/{name}/tree/{rev}", self.tree)
        app.router.add_route("*", "/{owner}/{name}/resolve/{rev}/{path:.+}", self.resolve)
        return app

    def serve(self, loop: Loop) -> str:
        return f"http://127.0.0.1:{loop.serve(self.app())}"

    def downloads(self) -> list[str]:
        """The files fetched, by path in the repository."""
        found = []
        for method, path in self.requests:
            if method == "GET" and "/resolve/" in path:
                found.append(path.split("/resolve/", 1)[1].split("/", 1)[1])
        return found

    def _find(self, request: web.Request) -> Repo:
        self.requests.append((request.method, request.path))
        name = f"{request.match_info['owner']}/{request.match_info['name']}"
        repo = self.repos.get(name)
        if repo is None:
            raise _error(401, "RepoNotFound", "Repository not found")
        rev = request.match_info.get("rev", "main")
        if rev not in ("main", repo.commit):
            raise _error(404, "RevisionNotFound", f"Invalid rev id: {rev}", repo.commit)
        return repo

    async def info(self, request: web.Request) -> web.Response:
        repo = self._find(request)
        name = f"{request.match_info['owner']}/{request.match_info['name']}"
        siblings = [{"rfilename": path} for path in sorted(repo.files)]
        return web.json_response({"id": name, "sha": repo.commit, "private": False, "siblings": siblings})

    async def tree(self, request: web.Request) -> web.Response:
        repo = self._find(request)
        entries = []
        for path, data in sorted(repo.files.items()):
            entry: dict[str, object] = {"type": "file", "path": path, "size": len(data), "oid": blob_id(data)}
            if is_lfs(path):
                entry["lfs"] = {
                    "oid": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 134,
                }
            entries.append(entry)
        return web.json_response(entries)

    async def resolve(self, request: web.Request) -> web.StreamResponse:
        repo = self._find(request)
        path = request.match_info["path"]
        if path not in repo.files:
            raise _error(404, "EntryNotFound", f"{path} does not exist", repo.commit)
        data = repo.files[path]
        etag = hashlib.sha256(data).hexdigest() if is_lfs(path) else blob_id(data)
        headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{etag}"', "Content-Length": str(len(data))}
        if is_lfs(path):
            headers |= {"X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(len(data))}
        if request.method == "HEAD":
            return web.Response(headers=headers)
        return web.Response(body=data, headers=headers)


def _error(status: int, code: str, message: str, commit: str | None = None) -> web.HTTPException:
    headers = {"X-Error-Code": code, "X-Error-Message": message}
    if commit:
        headers["X-Repo-Commit"] = commit
    kind = web.HTTPUnauthorized if status == 401 else web.HTTPNotFound
    return kind(headers=headers, text=f'{{"error": "{message}"}}', content_type="application/json")
