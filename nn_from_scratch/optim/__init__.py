"""Optimizers, like ``torch.optim``: SGD, Adam, AdamW, RMSprop.

    opt = optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

``opt.lr`` (or ``opt.param_groups[0]["lr"]``) can be changed between steps;
``opt.state_dict()`` is a flat dict of arrays that ``numpy.savez`` can write,
and ``load_state_dict`` resumes exactly.
"""

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop"]
