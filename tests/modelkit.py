"""Tiny sentence-embedding models built in the tests: ONNX graphs made with the ``onnx`` package
and tokenizers made with the ``tokenizers`` library, laid out as on the Hugging Face hub.

The graph is an embedding table with one step of context: a token's state is its embedding
(plus a token-type embedding when the graph declares ``token_type_ids``) plus the mean of the
text's embeddings under the attention mask. So the first token's state differs between texts
(CLS pooling means something) and padding changes nothing when the mask is honoured.
:func:`expected` computes in numpy what the encoder should return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

DIM = 8
WORDS = "may i install the app on my work laptop join this group query : a long text about facebook ?".split()
HEBREW = ["שלום", "עולם", "מותר", "להתקין", "אפליקציה"]


def bert_tokenizer() -> Tokenizer:
    """A BERT WordPiece tokenizer, uncased, that pads every text to 16 like all-MiniLM-L6-v2's."""
    vocab = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3}
    for word in [*WORDS, "##s", "##ing"]:
        vocab.setdefault(word, len(vocab))
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 1), ("[SEP]", 2)],
    )
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.enable_padding(length=16, pad_id=0, pad_token="[PAD]")
    tokenizer.enable_truncation(max_length=16)
    return tokenizer


def unigram_tokenizer() -> Tokenizer:
    """An XLM-R style SentencePiece (Unigram, Metaspace) tokenizer with Hebrew pieces; pad id 1."""
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [(f"▁{w}", -2.0) for w in [*WORDS, *HEBREW]]
    pieces += [(c, -5.0) for c in "abcdefghijklmnopqrstuvwxyz?:"]
    tokenizer = Tokenizer(models.Unigram(pieces, 3, False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return tokenizer


@dataclass
class TinyModel:
    """The weights of a tiny graph, to compute expected vectors."""

    embeddings: NDArray[np.float32]
    types: NDArray[np.float32] | None
    dense: NDArray[np.float32] | None = None

    def states(self, ids: list[int], type_ids: list[int]) -> NDArray[np.float32]:
        rows = self.embeddings[ids]
        states = rows + rows.mean(axis=0)
        if self.types is not None:
            states = states + self.types[type_ids]
        return states.astype(np.float32)


def tiny_graph(
    vocab_size: int, token_types: bool, pooled: bool, seed: int = 0
) -> tuple[onnx.ModelProto, TinyModel]:
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(vocab_size, DIM)).astype(np.float32)
    types = rng.normal(size=(2, DIM)).astype(np.float32) if token_types else None
    seq = ["batch", "sequence"]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, seq),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, seq),
    ]
    init = [
        numpy_helper.from_array(table, "table"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
    ]
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "last"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["total"], keepdims=1),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=1),
        helper.make_node("Div", ["total", "count"], ["context"]),
        helper.make_node("Add", ["emb", "context"], ["base"]),
    ]
    if types is not None:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, seq))
        init.append(numpy_helper.from_array(types, "types"))
        nodes += [
            helper.make_node("Gather", ["types", "token_type_ids"], ["type_emb"]),
            helper.make_node("Add", ["base", "type_emb"], ["states"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["base"], ["states"]))
    if pooled:
        # sentence-transformers' export: mean pooling in the graph, then a dense layer.
        dense = rng.normal(size=(DIM, DIM)).astype(np.float32)
        init.append(numpy_helper.from_array(dense, "dense"))
        nodes += [
            helper.make_node("Mul", ["states", "mask3"], ["kept"]),
            helper.make_node("ReduceSum", ["kept", "axis1"], ["summed"], keepdims=0),
            helper.make_node("ReduceSum", ["maskf", "axis1"], ["n"], keepdims=1),
            helper.make_node("Div", ["summed", "n"], ["mean"]),
            helper.make_node("MatMul", ["mean", "dense"], ["sentence_embedding"]),
        ]
        outputs = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", DIM])]
    else:
        nodes.append(helper.make_node("Identity", ["states"], ["last_hidden_state"]))
        outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*seq, DIM])]
    graph = helper.make_graph(nodes, "tiny", inputs, outputs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, TinyModel(table, types, dense if pooled else None)


def write_model(
    directory: Path,
    kind: str = "bert",
    *,
    pooled: bool = False,
    pooling: str | None = None,
    onnx_name: str = "model.onnx",
    settings: dict[str, object] | None = None,
    seed: int = 0,
) -> TinyModel:
    """A model directory as on the hub: ``kind`` "bert" (WordPiece, with token_type_ids) or
    "xlmr" (Unigram, without); ``pooling`` "cls" or "mean" writes 1_Pooling/config.json."""
    tokenizer = bert_tokenizer() if kind == "bert" else unigram_tokenizer()
    model, tiny = tiny_graph(tokenizer.get_vocab_size(), token_types=kind == "bert", pooled=pooled, seed=seed)
    (directory / onnx_name).parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(directory / onnx_name))
    tokenizer.save(str(directory / "tokenizer.json"))
    (directory / "config.json").write_text(json.dumps({"model_type": kind, "hidden_size": DIM}))
    if pooling:
        (directory / "1_Pooling").mkdir(exist_ok=True)
        config = {
            "word_embedding_dimension": DIM,
            "pooling_mode_cls_token": pooling == "cls",
            "pooling_mode_mean_tokens": pooling == "mean",
        }
        (directory / "1_Pooling" / "config.json").write_text(json.dumps(config))
    if settings is not None:
        (directory / "advisor-model.json").write_text(json.dumps(settings))
    return tiny


def expected(directory: Path, tiny: TinyModel, text: str, pooling: str = "mean") -> NDArray[np.float32]:
    """The unit vector the encoder should give ``text``, computed here in numpy."""
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    encoding = tokenizer.encode(text)
    states = tiny.states(encoding.ids, encoding.type_ids)
    if tiny.dense is not None:
        vector = states.mean(axis=0) @ tiny.dense
    else:
        vector = states[0] if pooling == "cls" else states.mean(axis=0)
    return (vector / np.linalg.norm(vector)).astype(np.float32)
