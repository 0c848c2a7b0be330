"""lmbook._lazy: names resolve from their submodule on first use, are cached, and list in dir()."""

from __future__ import annotations

import importlib
import sys
import types

import pytest

from lmbook._lazy import lazy_exports


def test_name_is_imported_on_first_use_and_then_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    package = types.ModuleType("fakepkg")
    monkeypatch.setitem(sys.modules, "fakepkg", package)
    imported = []

    def fake_import(name: str) -> types.SimpleNamespace:
        imported.append(name)
        return types.SimpleNamespace(answer=42, other=1)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    package.__getattr__, package.__dir__ = lazy_exports("fakepkg", {"answer": "deep"})
    assert imported == []
    assert package.answer == 42 and package.answer == 42
    assert imported == ["fakepkg.deep"] and vars(package)["answer"] == 42
    assert dir(package) == ["answer"]
    with pytest.raises(AttributeError, match="module 'fakepkg' has no attribute 'other'"):
        package.other  # noqa: B018


@pytest.mark.parametrize("name", ["lmbook.train", "lmbook.viz", "lmbook.zoo"])
def test_every_public_name_of_a_lazy_package_resolves(name: str) -> None:
    package = importlib.import_module(name)
    assert dir(package) == sorted(package.__all__)
    for attr in package.__all__:
        value = getattr(package, attr)
        if callable(value):  # functions and classes come from the package's own modules
            assert value.__module__.startswith(name), attr
