"""Recurrent networks from scratch: RNN, LSTM and GRU cells and layers (sections 3.3-3.5).

Each cell is the textbook formula in PyTorch's parameter layout, so a from-scratch layer loads a
``torch.nn.RNN`` / ``LSTM`` / ``GRU`` ``state_dict`` unchanged and gives the same outputs
(``tests/test_nn_recurrent.py``):

- :func:`rnn_cell`: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (Elman 1990).
- :func:`lstm_cell`: gates in PyTorch's order i, f, g, o; c' = f*c + i*g with a **tanh**
  candidate g, and h' = o * tanh(c') (Hochreiter and Schmidhuber 1997; forget gate: Gers et al.
  2000). Both biases are added to every gate.
- :func:`gru_cell`: PyTorch's GRU, the reset gate applied to W_hn h + b_hn *after* the matrix
  product; :func:`gru_cell_cho`: Cho et al. (2014), the reset gate applied to h *before* it.
  Both update as h' = (1 - z) * n + z * h: z keeps the old state.

:class:`RNN`, :class:`LSTM` and :class:`GRU` stack layers (``num_layers``, ``batch_first``) and
keep each step's hidden state of the last layer (``states``) so that
:func:`state_jacobian_norms` can measure ||dh_T/dh_t|| over distance.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = [
    "GATES",
    "GRU",
    "LSTM",
    "RNN",
    "gru_cell",
    "gru_cell_cho",
    "lstm_cell",
    "recurrent_param_count",
    "rnn_cell",
    "state_jacobian_norms",
]

Tensor = torch.Tensor

GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # weight blocks stacked in W_ih and W_hh


def rnn_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor,
    b_hh: Tensor,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One Elman step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    z = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    return torch.tanh(z) if nonlinearity == "tanh" else torch.relu(z)


def lstm_cell(
    x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
) -> tuple[Tensor, Tensor]:
    """One LSTM step in PyTorch's layout: rows of W are the gates i, f, g, o (input, forget,
    candidate, output). Returns (h', c')."""
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.tanh(g)  # the candidate uses tanh, not sigmoid
    c_next = f * c + i * g  # the additive path: dc'/dc = f, no matrix, no squashing
    h_next = o * torch.tanh(c_next)
    return h_next, c_next


def gru_cell(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
) -> Tensor:
    """One GRU step as ``torch.nn.GRU`` computes it (rows r, z, n):
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)  # reset applied after the product (and to b_hn)
    return (1 - z) * n + z * h


def gru_cell_cho(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
) -> Tensor:
    """One GRU step as Cho et al. (2014) wrote it, in PyTorch's layout:
    n = tanh(W_in x + b_in + W_hn (r * h) + b_hn), h' = (1 - z) * n + z * h."""
    gi = x @ w_ih.T + b_ih
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    w_hr, w_hz, w_hn = w_hh.chunk(3, dim=0)
    b_hr, b_hz, b_hn = b_hh.chunk(3, dim=0)
    r = torch.sigmoid(i_r + h @ w_hr.T + b_hr)
    z = torch.sigmoid(i_z + h @ w_hz.T + b_hz)
    n = torch.tanh(i_n + (r * h) @ w_hn.T + b_hn)  # reset applied before the product
    return (1 - z) * n + z * h


def recurrent_param_count(
    kind: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True
) -> int:
    """Parameters of an RNN / GRU / LSTM: per layer G (H (I + H) + 2H) with G = 1, 3, 4 gate
    blocks (two bias vectors per block, as PyTorch keeps them); layers above the first take I = H.
    """
    g = GATES[kind]
    total = 0
    for layer in range(num_layers):
        i = input_size if layer == 0 else hidden_size
        total += g * (hidden_size * (i + hidden_size) + (2 * hidden_size if bias else 0))
    return total


class _Recurrent(nn.Module):
    kind = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        g = GATES[self.kind]
        bound = 1.0 / math.sqrt(hidden_size)  # torch's init: U(-1/sqrt(H), 1/sqrt(H)) for all
        for layer in range(num_layers):
            i = input_size if layer == 0 else hidden_size
            shapes = {
                "weight_ih": (g * hidden_size, i),
                "weight_hh": (g * hidden_size, hidden_size),
            }
            if bias:
                shapes |= {"bias_ih": (g * hidden_size,), "bias_hh": (g * hidden_size,)}
            for name, shape in shapes.items():
                p = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
                self.register_parameter(f"{name}_l{layer}", p)
        self.states: list[Tensor] = []

    def _weights(self, layer: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        w_ih = getattr(self, f"weight_ih_l{layer}")
        w_hh = getattr(self, f"weight_hh_l{layer}")
        if self.bias:
            return (
                w_ih,
                w_hh,
                getattr(self, f"bias_ih_l{layer}"),
                getattr(self, f"bias_hh_l{layer}"),
            )
        zero = w_ih.new_zeros(w_ih.shape[0])
        return w_ih, w_hh, zero, zero

    def _step(self, x: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _initial(
        self, x: Tensor, hx: Tensor | tuple[Tensor, ...] | None
    ) -> list[tuple[Tensor, ...]]:
        n_state = 2 if self.kind == "lstm" else 1
        if hx is None:
            zero = x.new_zeros(self.num_layers, x.shape[1], self.hidden_size)
            hx = (zero,) * n_state
        elif isinstance(hx, Tensor):
            hx = (hx,)
        return [tuple(s[layer] for s in hx) for layer in range(self.num_layers)]

    def forward(
        self, x: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor | tuple[Tensor, Tensor]]:
        """Same inputs and outputs as the ``torch.nn`` module: ``x`` is ``[T, B, I]`` (or
        ``[B, T, I]`` with ``batch_first``); returns the last layer's states for every step and
        the final state of every layer (``(h_n, c_n)`` for the LSTM)."""
        if self.batch_first:
            x = x.transpose(0, 1)
        states = self._initial(x, hx)
        finals = []
        seq = list(x.unbind(0))
        for layer in range(self.num_layers):
            state = states[layer]
            outs = []
            for x_t in seq:
                state = self._step(x_t, state, layer)
                outs.append(state[0])
            finals.append(state)
            seq = outs
        self.states = seq  # h_t of the last layer, still in the graph
        output = torch.stack(seq, dim=0)
        if self.batch_first:
            output = output.transpose(0, 1)
        h_n = torch.stack([s[0] for s in finals])
        if self.kind == "lstm":
            return output, (h_n, torch.stack([s[1] for s in finals]))
        return output, h_n

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"batch_first={self.batch_first}"
        )


class RNN(_Recurrent):
    """Elman RNN from scratch; loads a ``torch.nn.RNN`` ``state_dict`` (tanh or relu)."""

    kind = "rnn"

    def __init__(self, *args: object, nonlinearity: str = "tanh", **kwargs: object) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.nonlinearity = nonlinearity

    def _step(self, x: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        return (rnn_cell(x, state[0], *self._weights(layer), self.nonlinearity),)


class LSTM(_Recurrent):
    """LSTM from scratch; loads a ``torch.nn.LSTM`` ``state_dict``."""

    kind = "lstm"

    def _step(self, x: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        return lstm_cell(x, state[0], state[1], *self._weights(layer))


class GRU(_Recurrent):
    """GRU from scratch; ``variant="pytorch"`` (default) loads a ``torch.nn.GRU`` ``state_dict``
    and matches it, ``variant="cho"`` applies the reset gate as Cho et al. (2014)."""

    kind = "gru"

    def __init__(self, *args: object, variant: str = "pytorch", **kwargs: object) -> None:
        if variant not in ("pytorch", "cho"):
            raise ValueError(f"variant must be 'pytorch' or 'cho', got {variant!r}")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.variant = variant

    def _step(self, x: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        cell = gru_cell if self.variant == "pytorch" else gru_cell_cho
        return (cell(x, state[0], *self._weights(layer)),)


def state_jacobian_norms(model: _Recurrent, x: Tensor) -> Tensor:
    """Frobenius norm of dh_T/dh_t for every t (T = the last step), averaged over the batch.

    ``x`` is one batch in the model's layout. Entry ``k`` of the result is the norm at distance
    T - t = k. The whole Jacobian comes from one backward pass: the batch is repeated H times
    and copy j back-propagates the unit vector e_j, so it carries row j of dh_T/dh_t.
    """
    batch_dim = 0 if model.batch_first else 1
    batch, hidden = x.shape[batch_dim], model.hidden_size
    model(x.repeat_interleave(hidden, dim=batch_dim))  # copy j of sequence b at row b*H + j
    states = model.states
    seed = torch.eye(hidden, dtype=states[-1].dtype).repeat(batch, 1)  # [B*H, H]
    grads = torch.autograd.grad(states[-1], states, grad_outputs=seed)
    # grads[t][b*H + j] is row j of dh_T/dh_t for sequence b
    norms = torch.stack([g.reshape(batch, -1).pow(2).sum(dim=1).sqrt().mean() for g in grads])
    return norms.flip(0).detach()  # index = distance T - t
