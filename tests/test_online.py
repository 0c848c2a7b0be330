"""lmbook.zoo.hub_online: the one check behind the book's optional online cells."""

from __future__ import annotations

import pytest

import lmbook.zoo
from lmbook.zoo import online


def test_exported_lazily() -> None:
    assert "hub_online" in lmbook.zoo.__all__
    assert lmbook.zoo.hub_online is online.hub_online


def test_offline_flag_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    probed: list[str] = []
    monkeypatch.setattr(huggingface_hub, "is_offline_mode", lambda: True)
    monkeypatch.setattr(online, "_reachable", lambda url, timeout: probed.append(url) or True)
    assert online.hub_online() is False
    assert probed == [], "in offline mode the endpoint is not probed"


@pytest.mark.parametrize("answers", [True, False])
def test_probes_the_endpoint_in_use(monkeypatch: pytest.MonkeyPatch, answers: bool) -> None:
    import huggingface_hub

    probed: list[tuple[str, float]] = []
    monkeypatch.setattr(huggingface_hub, "is_offline_mode", lambda: False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com/")
    monkeypatch.setattr(
        online, "_reachable", lambda url, timeout: probed.append((url, timeout)) or answers
    )
    assert online.hub_online(timeout=0.5) is answers
    assert probed == [("https://hf-mirror.com", 0.5)]


def test_unreachable_endpoint_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    assert online.hub_online(timeout=1.0) is False
