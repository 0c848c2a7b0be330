"""One check for the book's optional online cells: can the Hugging Face hub be reached now?

An online cell (appendix A.2 loads projects from the hub) first asks :func:`hub_online` and,
when it is ``False``, prints one line and skips itself, so that the notebook runs offline. The
answer reuses what :func:`lmbook.zoo.load` already does: ``huggingface_hub``'s own offline flag
(``HF_HUB_OFFLINE=1``), then the loader's three-second reachability probe of the endpoint in use
(``HF_ENDPOINT``, e.g. a mirror).
"""

from __future__ import annotations

from lmbook.zoo.loader import _reachable, hub_endpoint

__all__ = ["hub_online"]


def hub_online(timeout: float = 3.0) -> bool:
    """True if the hub may be used: not in offline mode, and the endpoint answers in time."""
    from huggingface_hub import is_offline_mode

    if is_offline_mode():
        return False
    return _reachable(hub_endpoint(), timeout=timeout)
