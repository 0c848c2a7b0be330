"""lmbook.setup(), seeding, device choice and the shipped Chinese font."""

from __future__ import annotations

import random
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

matplotlib.use("Agg")

import lmbook
from lmbook.device import describe_device, pick_device
from lmbook.fonts import FONT_FAMILY, font_path, use_cjk_font
from lmbook.seeding import seed_everything


def _draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_seed_everything_repeats_every_generator() -> None:
    seed_everything(7)
    first = _draws()
    seed_everything(7)
    assert _draws() == first
    seed_everything(8)
    assert _draws() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "0"])
def test_seed_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        seed_everything(bad)  # type: ignore[arg-type]


def test_setup_prints_one_device_line(capsys: pytest.CaptureFixture[str]) -> None:
    before = torch.get_num_threads()
    try:
        dev = lmbook.setup(seed=3, threads=1)
        assert torch.get_num_threads() == 1
        blas = threadpool_info()
        assert all(pool["num_threads"] == 1 for pool in blas if pool["user_api"] == "blas")
    finally:
        torch.set_num_threads(before)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("device: ")
    assert dev == pick_device()


def test_setup_rejects_zero_threads() -> None:
    with pytest.raises(ValueError, match="threads must be >= 1"):
        lmbook.setup(threads=0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_missing_cuda_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="device='cpu'"):
        pick_device("cuda")


def test_lmbook_device_overrides_the_automatic_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # as on a GPU machine
    monkeypatch.setenv("LMBOOK_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")
    monkeypatch.setenv("LMBOOK_DEVICE", "")
    assert pick_device().type == "cuda"
    assert pick_device("cpu") == torch.device("cpu")  # an explicit argument wins


def test_unknown_device_type() -> None:
    with pytest.raises(ValueError, match="use 'cpu', 'cuda' or 'mps'"):
        pick_device("meta")


def test_cpu_description() -> None:
    assert describe_device(torch.device("cpu")).startswith("device: cpu (")


def test_font_ships_with_licence() -> None:
    path = font_path()
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert "SIL OPEN FONT LICENSE" in (path.parent / "OFL.txt").read_text(encoding="utf-8")


def test_chinese_labels_render_without_missing_glyphs(tmp_path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties, findfont

    assert use_cjk_font() == FONT_FAMILY
    assert findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False) == str(
        font_path()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" would raise here
        fig, ax = plt.subplots()
        ax.set_title("人民日报：字频（按频率排序）− “引号” 123 ABC")
        ax.plot([0, 1], [0, -1])
        for ext in ("png", "pdf", "svg"):
            fig.savefig(tmp_path / f"plot.{ext}")
        plt.close(fig)


def test_import_lmbook_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, lmbook; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_setup_hides_only_the_known_library_warnings() -> None:
    from lmbook.runtime import KNOWN_WARNINGS

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lmbook.setup(verbose=False)
        for message, category in KNOWN_WARNINGS:
            warnings.warn(message.replace("\\", "") + " (test)", category, stacklevel=1)
        warnings.warn("`something_else` is deprecated", FutureWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["`something_else` is deprecated"]


def test_environment_describes_the_machine_and_installed_versions() -> None:
    import importlib.metadata

    import torch

    from lmbook.runtime import environment

    env = environment(("torch", "no-such-package-xyz"))
    assert set(env) == {"hardware", "versions"}
    assert env["hardware"]["threads"] == torch.get_num_threads()
    assert env["hardware"]["cuda"] == torch.cuda.is_available()
    assert env["versions"] == {"torch": importlib.metadata.version("torch")}
