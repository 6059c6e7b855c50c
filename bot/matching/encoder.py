"""Sentences to unit vectors with any sentence-embedding model exported to ONNX.

onnxruntime runs the graph on the CPU and ``tokenizers`` reads the model's own
``tokenizer.json``; no PyTorch, nothing fetched at run time. Which files make a model is
:mod:`bot.matching.modelfiles`' business; this module feeds the graph only the inputs it declares
(``input_ids``, ``attention_mask``, ``token_type_ids`` when present), pools token states by
mean or CLS (or takes an already pooled ``sentence_embedding``) and normalizes.

``load_encoder(None)`` is the shipped all-MiniLM-L6-v2 int8; ``load_encoder(path)`` any model
directory, such as one ``advisor model fetch`` wrote.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from numpy.typing import NDArray
from onnxruntime.capi import onnxruntime_pybind11_state as ort_state
from tokenizers import Encoding, Tokenizer

from ..errors import ConfigError
from .modelfiles import ModelFiles, default_model, find_model

__all__ = ["Encoder", "load_encoder"]

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
POOLED_OUTPUT = "sentence_embedding"
TOKEN_OUTPUTS = ("last_hidden_state", "token_embeddings")
# Rows times padded width per run. Measured on all-MiniLM-L6-v2 int8 (bench/encoder.py, one
# thread): batches of 64 chat questions ran 120 texts/s and left a 430 MB process; capped at 512
# tokens, 177 texts/s and 270 MB.
BATCH_TOKENS = 512
DTYPES: dict[str, type[np.integer[Any]]] = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}
# onnxruntime's errors derive from Exception directly, one class per status code.
ORT_ERRORS = (
    ort_state.Fail,
    ort_state.InvalidArgument,
    ort_state.NoSuchFile,
    ort_state.InvalidProtobuf,
    ort_state.InvalidGraph,
    ort_state.NotImplemented,
    ort_state.RuntimeException,
)


def load_encoder(model_dir: Path | None, threads: int = 0) -> Encoder:
    """The encoder for ``model_dir`` (None: the shipped default); ``threads`` 0 lets onnxruntime
    choose. A directory someone supplied is not pinned: its files' sha256 are logged."""
    encoder = Encoder(find_model(model_dir), threads=threads)
    if not encoder.files.pinned:
        sums = ", ".join(f"{role} {digest}" for role, digest in encoder.sha256.items())
        log.info("encoder: %s (sha256 %s), identity %s", encoder.files.name, sums, encoder.identity)
    return encoder


class Encoder:
    """Unit vectors (``dim`` float32 numbers) for texts; rows of one call come back in order.

    ``identity`` is a short digest of the model's files and of the options that change the
    vectors (pooling, prefix, truncation): equal identities give equal vectors, so it keys caches.
    """

    def __init__(self, files: ModelFiles | None = None, threads: int = 0) -> None:
        self.files = files or default_model()
        self.sha256 = self.files.digests()
        self._session = _session(self.files.onnx, threads)
        self.inputs = _inputs(self._session, self.files.onnx)
        self.output, self.pooled = _output(self._session, self.files.onnx)
        self._tokenizer = _tokenizer(self.files.tokenizer)
        truncation = self._tokenizer.truncation
        self.max_tokens = self.files.max_tokens or (truncation or {}).get("max_length") or 256
        self._pad_id = _pad_id(self._tokenizer)
        # A tokenizer.json may pad every text to a fixed length (all-MiniLM-L6-v2's pads to
        # 128); batches are padded here to their longest text instead.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        recipe = [*self.sha256.values(), self.files.pooling, self.files.prefix, str(self.max_tokens)]
        self.identity = hashlib.sha256("\n".join(recipe).encode()).hexdigest()[:16]
        try:
            self.dim = int(self._run([self._tokenizer.encode("dimension")]).shape[1])
        except ORT_ERRORS as exc:
            raise ConfigError(f"{self.files.onnx}: the model fails on a first sentence ({exc})") from exc

    @property
    def tokenizer_kind(self) -> str:
        """The tokenizer's model: WordPiece (BERT), Unigram (XLM-R, SentencePiece) or BPE."""
        return type(self._tokenizer.model).__name__

    def encode(self, texts: Sequence[str], batch: int = 64) -> NDArray[np.float32]:
        """One unit row per text. Texts are sorted by token length and run in batches of at
        most ``batch`` texts and :data:`BATCH_TOKENS` tokens with padding, so little goes to
        padding and onnxruntime's memory arena stays small; the attention mask keeps padding
        from changing any text's vector."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.files.prefix
        encodings = self._tokenizer.encode_batch([prefix + t for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        rows: list[int] = []
        for i in order:
            width = len(encodings[i].ids)  # the longest so far, as the order is by length
            if rows and (len(rows) == batch or (len(rows) + 1) * width > BATCH_TOKENS):
                out[rows] = self._run([encodings[j] for j in rows])
                rows = []
            rows.append(i)
        out[rows] = self._run([encodings[j] for j in rows])
        return out

    def _run(self, encodings: Sequence[Encoding]) -> NDArray[np.float32]:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
            types[row, : len(e.ids)] = e.type_ids
        given = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {name: given[name].astype(dtype, copy=False) for name, dtype in self.inputs.items()}
        (states,) = self._session.run([self.output], feeds)
        states = np.asarray(states, dtype=np.float32)
        vectors: NDArray[np.float32]
        if self.pooled:
            vectors = states
        elif self.files.pooling == "cls":
            vectors = states[:, 0, :]
        else:
            weights = mask[:, :, None].astype(np.float32)
            vectors = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: NDArray[np.float32] = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


def _session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    try:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except ORT_ERRORS as exc:
        raise ConfigError(f"{path}: onnxruntime cannot load this model ({exc})") from exc


def _tokenizer(path: Path) -> Tokenizer:
    try:
        return Tokenizer.from_str(path.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - tokenizers raises a bare Exception for a bad file
        raise ConfigError(f"{path}: not a tokenizer.json the tokenizers library can read ({exc})") from exc


def _inputs(session: onnxruntime.InferenceSession, path: Path) -> dict[str, type[np.integer[Any]]]:
    declared = {i.name: i.type for i in session.get_inputs()}
    unknown = sorted(set(declared) - set(INPUTS))
    if unknown or "input_ids" not in declared:
        raise ConfigError(
            f"{path}: the graph's inputs are {sorted(declared)}; the encoder provides"
            f" {', '.join(INPUTS)} and needs input_ids"
        )
    bad = [name for name, kind in declared.items() if kind not in DTYPES]
    if bad:
        raise ConfigError(f"{path}: input {bad[0]} is {declared[bad[0]]}, expected int64 or int32")
    return {name: DTYPES[kind] for name, kind in declared.items()}


def _output(session: onnxruntime.InferenceSession, path: Path) -> tuple[str, bool]:
    """The output to read and whether it is already one vector per text."""
    outputs = {o.name: len(o.shape) for o in session.get_outputs()}
    if outputs.get(POOLED_OUTPUT) == 2:
        return POOLED_OUTPUT, True
    for name in TOKEN_OUTPUTS:
        if outputs.get(name) == 3:
            return name, False
    for name, rank in outputs.items():
        if rank in (2, 3):
            return name, rank == 2
    raise ConfigError(f"{path}: no output of token states or sentence embeddings among {sorted(outputs)}")


def _pad_id(tokenizer: Tokenizer) -> int:
    padding = tokenizer.padding
    if padding and isinstance(padding.get("pad_id"), int):
        return int(padding["pad_id"])
    for token in ("[PAD]", "<pad>"):
        found = tokenizer.token_to_id(token)
        if found is not None:
            return int(found)
    return 0
