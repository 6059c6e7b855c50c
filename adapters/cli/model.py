"""The sentence encoder's model: ``advisor model fetch`` and ``model show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot import AdvisorError

from .app import model_app
from .common import fail, load


@model_app.command("fetch")
def model_fetch(
    name: Annotated[str, typer.Argument(help="A model on the hub, e.g. intfloat/multilingual-e5-small.")],
    revision: Annotated[
        str | None, typer.Option("--revision", help="A branch, tag or commit (default: main).")
    ] = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="Put the files here instead of the model cache.")
    ] = None,
    onnx: Annotated[
        str | None, typer.Option("--onnx", help="Which ONNX file, such as onnx/model_qint8_avx512.onnx.")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option("--prefix", help='Put before every text, such as "query: " for e5 models.')
    ] = None,
) -> None:
    """Download a sentence-embedding model exported to ONNX (HF_ENDPOINT, HF_HUB_OFFLINE apply)."""
    from bot.matching.modelhub import fetch_model

    settings = load()
    try:
        fetched = fetch_model(
            name, settings.model_cache_dir, revision=revision, to=to, onnx=onnx, prefix=prefix
        )
    except AdvisorError as exc:
        raise fail(exc) from exc
    typer.echo(f"fetched {name} ({fetched.onnx}) into {fetched.directory}")
    for path, digest in fetched.sha256.items():
        typer.echo(f"  sha256 {digest}  {path}")
    typer.echo(f"use it: ADVISOR_MODEL_DIR={fetched.directory}")


@model_app.command("show")
def model_show(
    directory: Annotated[
        Path | None,
        typer.Argument(help="A model directory (default: ADVISOR_MODEL_DIR, else the shipped model)."),
    ] = None,
) -> None:
    """Print what the encoder would load: files, sha256, tokenizer, inputs, dimensions."""
    from bot.matching.encoder import Encoder
    from bot.matching.modelfiles import find_model

    settings = load()
    try:
        files = find_model(directory or settings.model_dir)
        encoder = Encoder(files, threads=1)
    except AdvisorError as exc:
        raise fail(exc) from exc
    pinned = "pinned sha256, checked" if files.pinned else "not pinned (a directory you supplied)"
    typer.echo(f"model: {files.name}, {pinned}")
    typer.echo(f"  {encoder.sha256['model']}  {files.onnx}")
    typer.echo(f"  {encoder.sha256['tokenizer']}  {files.tokenizer}")
    for path in files.data_files:
        typer.echo(f"  {encoder.sha256[f'data:{path.name}']}  {path}")
    typer.echo(f"tokenizer: {encoder.tokenizer_kind}, texts cut at {encoder.max_tokens} tokens")
    typer.echo(f"inputs: {', '.join(encoder.inputs)}")
    pooling = "already pooled" if encoder.pooled else f"{files.pooling} pooling"
    typer.echo(f"output: {encoder.output} ({pooling}), {encoder.dim} dimensions, normalized")
    typer.echo(f"prefix: {files.prefix!r}" if files.prefix else "prefix: none")
    typer.echo(f"identity: {encoder.identity}")
