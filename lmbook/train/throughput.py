"""Throughput, memory and model FLOPs utilisation (MFU), measured honestly.

Step times exclude the first steps (allocation, ``torch.compile``), and the compile time is
reported on its own. MFU = achieved model FLOP/s / the GPU's peak dense bf16 FLOP/s, where the
model FLOPs per token are PaLM's estimate without the attention term: 2 FLOPs per multiply-add
of every weight matrix in the forward pass, 2 more for the input gradients and 2 more for the
weight gradients of trainable weights (6·N for full fine-tuning, about 4·N for LoRA).
Embedding lookups do no multiply-adds and are not counted (a weight-tied output head is).
"""

from __future__ import annotations

import statistics
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "PEAK_BF16_TFLOPS",
    "flops_per_token",
    "format_report",
    "host_peak_memory_bytes",
    "peak_tflops",
    "summarize",
]

# Peak dense bf16 tensor-core TFLOP/s from NVIDIA's datasheets (the datasheets print the
# 2:4-sparsity figure, twice these; "dense" is what training uses). Matched in this order
# against torch.cuda.get_device_name(), so more specific names come first.
PEAK_BF16_TFLOPS: tuple[tuple[str, float], ...] = (
    ("H200 NVL", 835.0),  # H200 NVL datasheet: BF16 Tensor Core 1,671 TFLOPS (sparse)
    ("H200", 989.0),  # H200 SXM datasheet: BF16 Tensor Core 1,979 TFLOPS (sparse)
    ("H100 NVL", 835.0),  # H100 NVL datasheet: 1,671 TFLOPS (sparse)
    ("H100 PCIe", 756.0),  # H100 PCIe datasheet: 1,513 TFLOPS (sparse)
    ("H100", 989.0),  # H100 SXM5 datasheet: 1,979 TFLOPS (sparse)
    ("A100", 312.0),  # A100 datasheet (40/80 GB, SXM and PCIe): 312 TFLOPS dense, 624 sparse
    ("L40S", 362.0),  # L40S datasheet: 733 TFLOPS (sparse)
    ("L4", 121.0),  # L4 datasheet: BF16 Tensor Core 242 TFLOPS (sparse)
    ("A10G", 125.0),  # A10 datasheet (A10G is AWS's variant): 125 dense, 250 sparse
    ("A10", 125.0),
    # Turing/Volta have no bf16: their peak fp16 tensor-core rate is the fair ceiling for the
    # fp16 mixed precision these GPUs train in.
    ("T4", 65.0),  # T4 datasheet: Mixed Precision (FP16/FP32) 65 TFLOPS
    ("V100", 125.0),  # V100 SXM2 datasheet: Tensor Performance 125 TFLOPS
)


def peak_tflops(device: torch.device) -> float | None:
    """Peak dense bf16 (fp16 on T4/V100) TFLOP/s of a CUDA device from the table, else None."""
    import torch

    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((tf for key, tf in PEAK_BF16_TFLOPS if key in name), None)


def flops_per_token(model: torch.nn.Module) -> float:
    """Training FLOPs per token: 4 per frozen and 6 per trainable matrix weight (see module doc)."""
    import torch

    total = 0.0
    seen: set[tuple[int, int]] = set()
    for module in model.modules():
        if isinstance(module, torch.nn.Embedding):
            continue
        for p in module.parameters(recurse=False):
            key = (id(module), id(p))
            if p.ndim >= 2 and key not in seen:
                seen.add(key)
                total += (6.0 if p.requires_grad else 4.0) * p.numel()
    return total


def host_peak_memory_bytes() -> int | None:
    """Peak resident memory of this process (None where the OS does not tell)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def summarize(
    step_times: list[float],
    tokens: list[int],
    samples: list[int],
    *,
    device: torch.device,
    flops_token: float,
    compiled: bool = False,
    skip: int = 3,
) -> dict[str, Any]:
    """Steady-state numbers from per-step times and counts (the first ``skip`` steps excluded).

    The first step's time beyond the median is its warm-up; with ``torch.compile`` it is
    (mostly) compilation and is reported as ``compile_s``.
    """
    import torch

    n = len(step_times)
    if n == 0:
        return {"steps": 0}
    k = min(skip, n - 1)
    steady_t, steady_tok, steady_smp = step_times[k:], tokens[k:], samples[k:]
    seconds = sum(steady_t)
    median = statistics.median(steady_t)
    report: dict[str, Any] = {
        "steps": n,
        "train_s": sum(step_times),
        "first_step_s": step_times[0],
        "first_step_extra_s": max(0.0, step_times[0] - median),
        "compile_s": max(0.0, step_times[0] - median) if compiled else None,
        "step_s": median,
        "samples_per_s": sum(steady_smp) / seconds if seconds > 0 else None,
        "tokens_per_s": sum(steady_tok) / seconds if seconds > 0 and sum(steady_tok) else None,
        "peak_host_mem_bytes": host_peak_memory_bytes(),
        "peak_cuda_mem_bytes": None,
        "mfu": None,
    }
    if device.type == "cuda":
        report["peak_cuda_mem_bytes"] = int(torch.cuda.max_memory_allocated(device))
        peak = peak_tflops(device)
        if peak and report["tokens_per_s"]:
            report["mfu"] = report["tokens_per_s"] * flops_token / (peak * 1e12)
    return report


def format_report(report: dict[str, Any]) -> str:
    """One line for people: steps, time, throughput, memory, MFU."""
    if not report.get("steps"):
        return "no optimizer step was run"
    parts = [
        f"{report['steps']} steps in {report['train_s']:.1f} s",
        f"{report['step_s']:.3g} s/step",
    ]
    if report.get("tokens_per_s"):
        parts.append(f"{report['tokens_per_s']:,.0f} tokens/s")
    if report.get("samples_per_s"):
        parts.append(f"{report['samples_per_s']:,.1f} samples/s")
    if report.get("compile_s") is not None:
        parts.append(f"compile ~{report['compile_s']:.1f} s (first step, not in s/step)")
    if report.get("peak_cuda_mem_bytes") is not None:
        parts.append(f"peak GPU mem {report['peak_cuda_mem_bytes'] / 2**30:.2f} GiB")
    if report.get("peak_host_mem_bytes") is not None:
        parts.append(f"peak host mem {report['peak_host_mem_bytes'] / 2**30:.2f} GiB")
    if report.get("mfu") is not None:
        parts.append(f"MFU {100 * report['mfu']:.1f}% of bf16 dense peak")
    return "; ".join(parts)
