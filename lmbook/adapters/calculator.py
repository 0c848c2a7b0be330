"""How many parameters a fine-tuning method trains, and how much memory a training step needs,
from a ``transformers`` config alone (no weights: the model is built on the ``meta`` device).

    est = estimate(config, "lora", batch=8, seq=64, r=8)
    est.trainable, est.peak_bytes, est.adapter_bytes

The terms (section 5.1 derives each; its table lists every one):

- weights     ``P * bytes(weight dtype)``; QLoRA: the block linear layers at NF4 + double
              quantisation (``4.127`` bits), everything else in 16 bits;
- gradients   ``P_train * bytes(param dtype)`` (only trainable tensors get a ``.grad``);
- optimizer   AdamW keeps two float32 moments per trainable parameter (``8 * P_train``), plus a
              float32 master copy when the weights are 16-bit in mixed precision;
- activations what autograd saves for backward, per layer ``b s (5h + (c_f - 1) f) + a b s s_kv``
              elements for GPT-2/BERT blocks (``c_f`` = 5 for GPT-2's tanh-GELU, 2 for erf GELU;
              ``s_kv = s``), plus ``b s (3h + f)`` for the inputs of the block's linear layers
              when their weights train (full, LoRA: a frozen linear layer needs only its weight to
              pass the gradient on), plus the head (the final LayerNorm's input ``b s h``, the
              head's input ``b s h`` when the head trains; for a causal LM the log-softmax of the
              logits, ``b s V``; keeping the model's output object alive during backward adds the
              logits, another ``b s V``) and LoRA's ``b s r`` per adapted layer. Prompt tuning and
              P-tuning lengthen the sequence to ``s + n_virtual``; prefix tuning lengthens keys
              and values (``s_kv = s + n_virtual``). IA3 saves the outputs it scales instead of
              the inputs (the same count for GPT-2). With activation checkpointing:
              ``L b s h`` (each layer's input) + one layer + the head;
- temporaries the gradient of the logits at the start of backward (``2 b s V``: the gradient and
              the softmax it is computed from);
- step        AdamW's update temporaries: the for-loop implementation (the CPU default) makes
              two float32 tensors of the largest trainable tensor's size
              (``exp_avg_sq.sqrt() / bias_correction``; LoRA: its largest factor ``r max(k, d)``;
              other methods: bounded by ``P_train``); ``foreach=True`` (the CUDA default)
              makes them for all trainable tensors at once, ``4 * P_train`` bytes.

A step's peak is the larger of two moments: the start of backward (``weights + optimizer +
activations + temporaries``) and the optimizer update (``weights + optimizer + gradients +
step``): gradients are created while the activations are freed, so both are never held
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from lmbook.adapters.methods import HEAD_NAMES, task_heads
from lmbook.nn.lora import matches_target

__all__ = [
    "BYTES",
    "Estimate",
    "activation_elements",
    "count_trainable_analytic",
    "estimate",
    "meta_model",
]

BYTES = {"fp32": 4, "bf16": 2, "fp16": 2}
_FROZEN_LINEARS = ("prefix", "prompt", "ptuning", "bitfit")  # no block linear weight trains
_ACT_SAVED = {"gelu_new": 4, "gelu_pytorch_tanh": 1, "gelu": 1, "relu": 1, "silu": 1}


def meta_model(config: Any, task: str = "causal-lm") -> Any:
    """The ``transformers`` model of ``config`` on the meta device: shapes, no memory."""
    import torch
    import transformers

    from lmbook.zoo.loader import TASKS

    cls = getattr(transformers, TASKS[task])
    with torch.device("meta"):
        return cls.from_config(config)


def _is_linear(m: Any) -> bool:
    return type(m).__name__ in ("Linear", "Conv1D", "Linear4bit")


def _in_out(m: Any) -> tuple[int, int]:
    if type(m).__name__ == "Conv1D":
        k, d = m.weight.shape
        return k, d
    return m.in_features, m.out_features


def _dims(config: Any) -> dict[str, int]:
    g = config.get_text_config() if hasattr(config, "get_text_config") else config
    h = getattr(g, "hidden_size", None) or g.n_embd
    f = getattr(g, "intermediate_size", None) or getattr(g, "n_inner", None) or 4 * h
    return {
        "h": h,
        "f": f,
        "a": getattr(g, "num_attention_heads", None) or g.n_head,
        "L": getattr(g, "num_hidden_layers", None) or g.n_layer,
        "V": g.vocab_size,
    }


def _head_params(model: Any, task: str) -> int:
    names = task_heads(task)
    return sum(
        p.numel() for n, p in model.named_parameters() if any(k in n.split(".") for k in names)
    )


def default_targets(model: Any, method: str) -> list[str]:
    """The modules a method adapts by default (as :mod:`lmbook.adapters.methods`)."""
    from lmbook.zoo.adapters import LORA_TARGETS

    kind = model.config.model_type
    if method in ("ia3",):
        from lmbook.adapters.methods import _IA3

        return _IA3[kind][0]
    if kind in LORA_TARGETS:
        return list(LORA_TARGETS[kind])
    # any other architecture: every linear layer inside the blocks (QLoRA's choice)
    return sorted(
        {
            n.rsplit(".", 1)[-1]
            for n, m in model.named_modules()
            if _is_linear(m) and "lm_head" not in n and not set(n.split(".")) & set(HEAD_NAMES)
        }
    )


def count_trainable_analytic(
    model: Any,
    method: str,
    task: str = "causal-lm",
    r: int = 8,
    target_modules: Sequence[str] | None = None,
    num_virtual_tokens: int = 10,
    encoder_hidden_size: int | None = None,
) -> int:
    """Trainable parameters of ``method`` on ``model`` from its module shapes alone:

    - full: every parameter (a tied weight once);
    - LoRA / QLoRA: ``r (k + d)`` per adapted ``d x k`` layer; DoRA adds ``d`` (a magnitude per
      output channel);
    - IA3: one vector per adapted layer, of its output size (its input size for the MLP's
      second layer);
    - prefix tuning: ``n_virtual * L * 2 h`` (a key and a value per layer and virtual token);
    - prompt tuning: ``n_virtual * h``; P-tuning adds its MLP encoder
      (``h e + e + e^2 + e + e h + h``);
    - BitFit: every bias.

    A new classification head trains in full with every method."""
    d = _dims(model.config)
    h, L = d["h"], d["L"]
    head = _head_params(model, task)
    if method == "full":
        return sum(p.numel() for p in model.parameters())
    if method == "bitfit":
        biases = sum(
            p.numel()
            for n, p in model.named_parameters()
            if n.endswith("bias") and not any(k in n.split(".") for k in HEAD_NAMES)
        )
        return biases + head
    if method in ("lora", "dora", "qlora", "ia3"):
        targets = list(target_modules or default_targets(model, method))
        feedforward: list[str] = []
        if method == "ia3":
            from lmbook.adapters.methods import _IA3

            feedforward = _IA3.get(model.config.model_type, ([], []))[1]
        total = 0
        for name, m in model.named_modules():
            if not (_is_linear(m) and matches_target(name, targets)):
                continue
            if any(x in name.split(".") for x in HEAD_NAMES):
                continue  # a new head is trained in full, not adapted
            k, out = _in_out(m)
            if method == "ia3":
                total += k if matches_target(name, feedforward) else out
            else:
                total += r * (k + out) + (out if method == "dora" else 0)
        return total + head
    if method == "prefix":
        return num_virtual_tokens * L * 2 * h + head
    if method == "prompt":
        return num_virtual_tokens * h + head
    if method == "ptuning":
        e = encoder_hidden_size or h
        return num_virtual_tokens * h + (h * e + e) + (e * e + e) + (e * h + h) + head
    raise ValueError(f"unknown method {method!r}")


def _adapted_layers(model: Any, targets: Sequence[str]) -> int:
    return sum(1 for n, m in model.named_modules() if _is_linear(m) and matches_target(n, targets))


def _block_linear_params(model: Any) -> int:
    """Weights of the linear layers inside the transformer blocks (what QLoRA quantises)."""
    return sum(
        m.weight.numel()
        for n, m in model.named_modules()
        if _is_linear(m) and "lm_head" not in n and n.split(".")[-1] not in HEAD_NAMES
    )


def _largest_trainable(
    model: Any, method: str, task: str, targets: Sequence[str], r: int, trainable: int
) -> int:
    """Elements of the largest trainable tensor (what for-loop AdamW's temporaries scale with):
    the model's largest for full, LoRA's largest factor ``r * max(k, d)`` or the head, at most
    ``P_train`` for the other methods (a few KiB on the shipped models)."""
    if method == "full":
        return max(p.numel() for p in model.parameters())
    head = [
        p.numel()
        for n, p in model.named_parameters()
        if _head_params(model, task) and any(k in n.split(".") for k in HEAD_NAMES)
    ]
    if targets:
        factors = [
            r * max(_in_out(m))
            for n, m in model.named_modules()
            if _is_linear(m) and matches_target(n, targets)
        ]
        return max([*factors, *head])
    return min(trainable, max(p.numel() for p in model.parameters()))


@dataclass
class Estimate:
    """One method's parameter and memory bill (bytes)."""

    method: str
    trainable: int
    total: int
    weights: int
    gradients: int
    optimizer: int
    activations: int
    temporaries: int
    step: int
    adapter_bytes: int

    @property
    def trainable_pct(self) -> float:
        return 100 * self.trainable / self.total

    @property
    def backward_start_bytes(self) -> int:
        """Held when backward starts: every activation, the logits' gradient, no gradients."""
        return self.weights + self.optimizer + self.activations + self.temporaries

    @property
    def update_bytes(self) -> int:
        """Held during the optimizer update: every gradient and AdamW's temporaries."""
        return self.weights + self.optimizer + self.gradients + self.step

    @property
    def peak_bytes(self) -> int:
        return max(self.backward_start_bytes, self.update_bytes)

    def mib(self) -> dict[str, float]:
        """Each term in MiB (and the peak), for a table."""
        keys = ("weights", "gradients", "optimizer", "activations", "temporaries", "step")
        out = {k: getattr(self, k) / 2**20 for k in keys}
        out["peak"] = self.peak_bytes / 2**20
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "peak_bytes": self.peak_bytes}


def activation_elements(
    config: Any,
    batch: int,
    seq: int,
    task: str = "causal-lm",
    lora_r: int = 0,
    lora_layers: int = 0,
    checkpointing: bool = False,
    linear_inputs: bool = True,
    head_input: bool = True,
    kv_extra: int = 0,
) -> tuple[int, int]:
    """(saved activation elements, backward temporaries) for a GPT-2/BERT-style stack, without
    dropout (each dropout would add a mask). Other blocks (LLaMA's SwiGLU MLP) are approximated
    by the same count. ``linear_inputs=False``: the block linear layers are frozen and save
    nothing; ``head_input=False``: the same for the output head; ``kv_extra``: keys and values
    are that much longer than the queries (prefix tuning). With activation (gradient)
    checkpointing only each layer's input is kept, plus one layer's activations while that layer
    is recomputed."""
    d = _dims(config)
    h, f, a, L, V = d["h"], d["f"], d["a"], d["L"], d["V"]
    act = getattr(config, "activation_function", None) or getattr(config, "hidden_act", "gelu")
    c_f = 1 + _ACT_SAVED.get(act, 1)
    b, s, s_kv = batch, seq, seq + kv_extra
    per_layer = (
        b * s * (2 * h + (c_f - 1) * f)  # LayerNorm inputs, the activation function's tensors
        + b * h * (s + 2 * s_kv)  # q, k, v made contiguous
        + a * b * s * s_kv  # attention weights after softmax
        + 4 * b * s  # LayerNorm mean and rstd
        + (b * s * (3 * h + f) if linear_inputs else 0)  # inputs of c_attn, c_proj, c_fc, c_proj
    )
    lm = task in ("causal-lm", "masked-lm")
    head = b * s * h * (2 if head_input else 1) + (b * s * V if lm else 0)
    temps = 2 * b * s * V if lm else 0
    lora = lora_layers * lora_r * b * s
    if checkpointing:
        return L * b * s * h + per_layer + lora // max(L, 1) + head, temps
    return L * per_layer + head + lora, temps


def estimate(
    config: Any,
    method: str = "full",
    *,
    task: str = "causal-lm",
    batch: int = 8,
    seq: int = 512,
    precision: str = "fp32",
    r: int = 8,
    target_modules: Sequence[str] | None = None,
    num_virtual_tokens: int = 10,
    checkpointing: bool = False,
    foreach: bool = False,
    model: Any = None,
) -> Estimate:
    """The bill of ``method`` on the model of ``config`` for one AdamW step on ``batch`` x
    ``seq`` tokens. ``precision``: "fp32"; "bf16" (16-bit weights and gradients, float32 Adam
    moments: the 2 + 2 + 8 = 12 bytes per parameter of QLoRA's "780 GB for 65B"); "mixed" (adds a
    float32 master copy: 16 bytes, as in ZeRO). QLoRA: NF4 base, bf16 everything else.
    ``checkpointing``: activation checkpointing (QLoRA's setting), as in
    :func:`activation_elements`. ``foreach``: AdamW's multi-tensor update (CUDA's default)."""
    m = model if model is not None else meta_model(config, task)
    total = sum(p.numel() for p in m.parameters())
    trainable = count_trainable_analytic(m, method, task, r, target_modules, num_virtual_tokens)
    width = BYTES["bf16"] if precision in ("bf16", "mixed") or method == "qlora" else BYTES["fp32"]
    new = (
        trainable
        if method in ("lora", "dora", "qlora", "ia3", "prefix", "prompt", "ptuning")
        else 0
    )
    if method == "qlora":
        from lmbook.nn.quant import bits_per_parameter

        quantised = _block_linear_params(m)
        weights = (
            int(quantised * bits_per_parameter(4, 64, double=True) / 8)
            + (total - quantised + new) * width
        )
    else:
        weights = (total + new) * width
    gradients = trainable * width
    optimizer = trainable * (8 + (4 if precision == "mixed" else 0))
    targets = (
        list(target_modules or default_targets(m, method))
        if method in ("lora", "dora", "qlora")
        else []
    )
    virtual = num_virtual_tokens if method in ("prompt", "ptuning") else 0
    lm = task in ("causal-lm", "masked-lm")
    elems, temps = activation_elements(
        m.config,
        batch,
        seq + virtual,
        task,
        r if targets else 0,
        _adapted_layers(m, targets) if targets else 0,
        checkpointing,
        linear_inputs=method not in _FROZEN_LINEARS,
        head_input=method == "full" or not lm,  # an LM head (tied to the embedding) is frozen
        kv_extra=num_virtual_tokens if method == "prefix" else 0,
    )
    act_width = BYTES["fp32"] if precision == "fp32" and method != "qlora" else BYTES["bf16"]
    largest = _largest_trainable(m, method, task, targets, r, trainable)
    step = 4 * trainable if foreach else 2 * BYTES["fp32"] * largest
    head = _head_params(m, task)
    stored = {"ptuning": num_virtual_tokens * _dims(m.config)["h"] + head}.get(method, trainable)
    return Estimate(
        method,
        trainable,
        total + new,
        weights,
        gradients,
        optimizer,
        elems * act_width,
        temps * BYTES["fp32"],
        step,
        stored * width,  # what a task stores: its trained tensors (P-tuning: the prompt only)
    )
