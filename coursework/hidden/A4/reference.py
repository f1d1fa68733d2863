"""Independent references of A4's hidden tests, in plain NumPy (float64): nothing here calls the task functions."""

from __future__ import annotations

import numpy as np

LOG_2PI = np.log(2 * np.pi)


def kl(mu, logvar):
    """Per-sample KL(N(mu, exp(logvar)) || N(0, I)), summed over every axis but the first."""
    per = 0.5 * (np.exp(logvar) + mu ** 2 - 1 - logvar)
    return per.reshape(per.shape[0], -1).sum(axis=1)


def log_likelihood(logits, x):
    """sum over pixels of x log sigmoid(l) + (1 - x) log sigmoid(-l), stably (log sigmoid(l) = -logaddexp(0, -l))."""
    per = -x * np.logaddexp(0.0, -logits) - (1 - x) * np.logaddexp(0.0, logits)
    return per.reshape(per.shape[0], -1).sum(axis=1)


def log_mean_exp(values, axis):
    return np.logaddexp.reduce(values, axis=axis) - np.log(values.shape[axis])


def encoded(model, images, labels):
    from nn_from_scratch.tensor import Tensor, no_grad

    with no_grad():
        mu, logvar = model.encode(Tensor(images.astype(np.float32)), labels)
    return mu.numpy().astype(np.float64), logvar.numpy().astype(np.float64)


def decoded(model, z, labels):
    from nn_from_scratch.tensor import Tensor, no_grad

    with no_grad():
        return model.decode(Tensor(z.astype(np.float32)), labels).numpy().astype(np.float64)


def negative_elbo(model, images, labels, rng, batch_size):
    """The mean -ELBO, drawing eps (n, D) float32 batch after batch, as the docstring says."""
    totals = []
    images = images.astype(np.float32)
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size]
        given = None if labels is None else labels[start:start + batch_size]
        mu, logvar = encoded(model, x, given)
        eps = rng.standard_normal(mu.shape, dtype=np.float32)
        z = mu + np.exp(0.5 * logvar) * eps
        totals.append(kl(mu, logvar) - log_likelihood(decoded(model, z, given), x.astype(np.float64)))
    return float(np.concatenate(totals).mean())


def iwae(model, images, k, labels, rng, batch_size):
    """The mean importance-weighted bound, eps (n, k, D) float32 pass after pass."""
    per_pass = max(1, batch_size // k)
    nll = []
    images = images.astype(np.float32)
    for start in range(0, len(images), per_pass):
        x = images[start:start + per_pass]
        given = None if labels is None else labels[start:start + per_pass]
        n = len(x)
        mu, logvar = encoded(model, x, given)
        eps = rng.standard_normal((n, k, mu.shape[1]), dtype=np.float32).astype(np.float64)
        z = mu[:, None] + np.exp(0.5 * logvar)[:, None] * eps
        logits = decoded(model, z.reshape(n * k, -1), None if given is None else np.repeat(given, k))
        log_p_x = log_likelihood(logits, np.repeat(x, k, axis=0).astype(np.float64)).reshape(n, k)
        log_prior = -0.5 * np.sum(z ** 2 + LOG_2PI, axis=2)
        log_q = -0.5 * np.sum(eps ** 2 + logvar[:, None] + LOG_2PI, axis=2)
        nll.append(-log_mean_exp(log_p_x + log_prior - log_q, axis=1))
    return float(np.concatenate(nll).mean())
