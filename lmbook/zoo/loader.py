"""``load(name, task=...)``: a shipped model offline, or any Hugging Face hub model when online.

A shipped name (``lmbook.zoo.shipped_names()``) loads from ``lmbook/assets/models`` without
touching the network; so does a local folder saved with ``save_pretrained``. Anything else is a
hub id: it loads from the local cache if it is there,
otherwise from ``HF_ENDPOINT`` (default https://huggingface.co; readers in mainland China can set
``HF_ENDPOINT=https://hf-mirror.com``). Offline, the error is one clear sentence instead of a chain
of retries: when ``huggingface_hub`` itself is in offline mode (``HF_HUB_OFFLINE=1``, read with
its own :func:`huggingface_hub.is_offline_mode`), and otherwise after a three-second check that the
endpoint answers (``huggingface_hub`` has no such check: without the flag it retries and fails
with its own long traceback). Models load with eager attention so that ``output_attentions=True``
returns the attention weights.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from lmbook.zoo.registry import SHIPPED, is_shipped, model_dir, shipped_names

if TYPE_CHECKING:  # pragma: no cover
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["TASKS", "HubUnreachableError", "hub_endpoint", "load"]

TASKS: dict[str, str] = {
    "causal-lm": "AutoModelForCausalLM",
    "masked-lm": "AutoModelForMaskedLM",
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "seq2seq-lm": "AutoModelForSeq2SeqLM",
}
_DEFAULT_ENDPOINT = "https://huggingface.co"


class HubUnreachableError(ConnectionError):
    """A hub model was asked for, is not cached, and the hub cannot be reached."""


def hub_endpoint() -> str:
    """The hub address in use: ``HF_ENDPOINT`` if set (e.g. a mirror), else huggingface.co."""
    return os.environ.get("HF_ENDPOINT", "").strip().rstrip("/") or _DEFAULT_ENDPOINT


def _reachable(url: str, timeout: float = 3.0) -> bool:
    """True if ``url`` answers an HTTP request at all within ``timeout`` s (proxies honoured)."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout)
    except urllib.error.HTTPError:
        return True  # it answered, if only with an error status
    except (OSError, ValueError):
        return False
    return True


def _offline_error(name: str, why: str) -> HubUnreachableError:
    return HubUnreachableError(
        f"cannot load {name!r}: it is not a shipped model and {why}; use a shipped model "
        f"({', '.join(shipped_names())}), or connect to the internet (in mainland China set "
        "HF_ENDPOINT=https://hf-mirror.com) and try again."
    )


def _check_task(task: str | None) -> None:
    if task is not None and task not in TASKS:
        raise ValueError(f"task={task!r} is not one of {[*TASKS, None]}.")


def _label_kwargs(num_labels: int | None, id2label: dict[int, str] | None) -> dict[str, Any]:
    if id2label is not None:
        id2label = {int(i): str(label) for i, label in id2label.items()}
        if num_labels is not None and num_labels != len(id2label):
            raise ValueError(
                f"num_labels={num_labels} disagrees with the {len(id2label)} labels of id2label; "
                "give one of them, or make them agree."
            )
        return {
            "num_labels": len(id2label),
            "id2label": id2label,
            "label2id": {label: i for i, label in id2label.items()},
        }
    return {} if num_labels is None else {"num_labels": num_labels}


def load(
    name: str,
    task: str | None = None,
    *,
    num_labels: int | None = None,
    id2label: dict[int, str] | None = None,
    **kwargs: Any,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Return ``(model, tokenizer)`` for a shipped name or a hub id, with the head of ``task``.

    ``task`` is one of ``"causal-lm"``, ``"masked-lm"``, ``"sequence-classification"``,
    ``"token-classification"``, ``"seq2seq-lm"`` (an encoder-decoder such as the shipped
    ``mt-zh-en-tiny``) or ``None`` (the model's own head). ``num_labels`` / ``id2label``
    size a new classification head; other keyword arguments go to ``from_pretrained``.

    >>> model, tok = load("bert-zh-tiny", "token-classification", num_labels=7)  # doctest: +SKIP
    """
    import transformers

    _check_task(task)
    kwargs = {"attn_implementation": "eager", **_label_kwargs(num_labels, id2label), **kwargs}
    if is_shipped(name):
        source: Any = model_dir(name)
        kwargs["local_files_only"] = True
        kwargs.setdefault("dtype", "float32")  # mt-zh-en-tiny and gpt-zh-small ship fp16
        cls_name = TASKS[task or SHIPPED[name]]
        with _quiet(transformers):
            return _from_pretrained(transformers, cls_name, source, kwargs)
    cached = _try_cached(transformers, name, task, kwargs)
    if cached is not None:
        return cached
    from huggingface_hub import is_offline_mode

    if is_offline_mode():
        raise _offline_error(name, "it is not in the local cache while HF_HUB_OFFLINE is set")
    endpoint = hub_endpoint()
    if not _reachable(endpoint):
        raise _offline_error(name, f"it is not in the local cache and {endpoint} cannot be reached")
    return _from_pretrained(transformers, _hub_class(transformers, name, task, {}), name, kwargs)


@contextmanager
def _quiet(transformers: Any) -> Iterator[None]:
    """No progress bar and no load report while loading a shipped model (4-12 MB, local).

    A head for another task than the pretraining one (e.g. a classifier on the masked LM) is
    new and randomly initialised, as the book says where it uses one.
    """
    log = transformers.utils.logging
    verbosity, bars = log.get_verbosity(), log.is_progress_bar_enabled()
    log.set_verbosity_error()
    log.disable_progress_bar()
    try:
        yield
    finally:
        log.set_verbosity(verbosity)
        if bars:
            log.enable_progress_bar()


def _hub_class(transformers: Any, name: str, task: str | None, kwargs: dict[str, Any]) -> str:
    """The class to load a hub model with: the task's Auto class, or the model's own head."""
    if task is not None:
        return TASKS[task]
    config = transformers.AutoConfig.from_pretrained(name, **kwargs)
    archs = getattr(config, "architectures", None) or []
    return archs[0] if archs and hasattr(transformers, archs[0]) else "AutoModel"


def _try_cached(
    transformers: Any, name: str, task: str | None, kwargs: dict[str, Any]
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase] | None:
    """Load a hub model from the local cache only; None if it is not (completely) cached."""
    local = {**kwargs, "local_files_only": True}
    try:
        cls_name = _hub_class(transformers, name, task, {"local_files_only": True})
        return _from_pretrained(transformers, cls_name, name, local)
    except OSError:
        return None


def _from_pretrained(
    transformers: Any, cls_name: str, source: Any, kwargs: dict[str, Any]
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    tok_kwargs = {k: v for k, v in kwargs.items() if k in ("local_files_only", "revision", "token")}
    model = getattr(transformers, cls_name).from_pretrained(source, **kwargs)
    if getattr(model, "loss_type", "") is None and model.__class__.__name__.endswith("LMHeadModel"):
        # transformers 5 picks the loss by class name; "GPT2LMHeadModel" matches none, so the
        # first loss would warn and fall back to the causal-LM loss. Name that loss directly.
        model.loss_type = "ForCausalLM"
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, **tok_kwargs)
    return model, tokenizer
