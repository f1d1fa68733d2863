"""Write the known values of assignment A4's public tests, from the solution (this project's library).

    PYTHONPATH=. python coursework/generators/generate_A4.py           # (re)write coursework/public/A4/data/
    PYTHONPATH=. python coursework/generators/generate_A4.py --check   # only compare; exit 1 on a difference

Deterministic: fixed seeds, float64.  A file is rewritten only when its arrays
changed.  The models' weights are not stored: the tests rebuild them with
``coursework/public/A4/models.py`` (integer arithmetic, the same everywhere);
the images are the first MNIST-10k test digits shipped with the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from coursework.generators.known_values import write_known_values  # noqa: E402
from coursework.public.A4.models import as_tensor, conv_vae, digits, linear_vae  # noqa: E402
from nn_from_scratch import functional as F  # noqa: E402
from nn_from_scratch import metrics  # noqa: E402
from nn_from_scratch.models import VAE, vae_loss  # noqa: E402
from nn_from_scratch.tensor import Tensor  # noqa: E402

DATA = ROOT / "coursework" / "public" / "A4" / "data"
LATENT = 3
LABELS = np.array([3, 1, 4, 1])


def encode_values(rng):
    images = digits(4)[0]
    values = {"images": images, "labels": LABELS}
    for classes in (0, 10):
        model = conv_vae(classes, LATENT)
        mu, logvar = model.encode(as_tensor(images), LABELS if classes else None)
        values.update({f"mu_{classes}": mu.data, f"logvar_{classes}": logvar.data})
    return values


def reparameterize_values(rng):
    mu, logvar, eps = rng.standard_normal((3, 4)), rng.uniform(-3, 2, (3, 4)), rng.standard_normal((3, 4))
    z = Tensor(mu, requires_grad=True), Tensor(logvar, requires_grad=True)
    out = VAE.reparameterize(z[0], z[1], Tensor(eps))
    g = rng.standard_normal((3, 4))
    (out * Tensor(g)).sum().backward()
    wide_mu, wide_logvar, wide_eps = rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 1, 3)), \
        rng.standard_normal((2, 5, 3))
    wide = VAE.reparameterize(Tensor(wide_mu), Tensor(wide_logvar), Tensor(wide_eps))
    return {"mu": mu, "logvar": logvar, "eps": eps, "z": out.data, "g": g, "grad_mu": z[0].grad,
            "grad_logvar": z[1].grad, "wide_mu": wide_mu, "wide_logvar": wide_logvar, "wide_eps": wide_eps,
            "wide_z": wide.data}


def gaussian_kl_values(rng):
    values = {}
    for name, shape in (("flat", (5, 4)), ("deep", (3, 2, 2))):
        mu, logvar = rng.standard_normal(shape), rng.uniform(-4, 3, shape)
        values.update({f"{name}_mu": mu, f"{name}_logvar": logvar})
        for reduction in ("none", "sum", "mean"):
            values[f"{name}_{reduction}"] = F.gaussian_kl(as_tensor(mu), as_tensor(logvar), reduction).data
        m, v = Tensor(mu, requires_grad=True), Tensor(logvar, requires_grad=True)
        g = rng.standard_normal(shape[0])
        (F.gaussian_kl(m, v, "none") * Tensor(g)).sum().backward()
        values.update({f"{name}_g": g, f"{name}_grad_mu": m.grad, f"{name}_grad_logvar": v.grad})
    return values


def vae_loss_values(rng):
    logits = rng.standard_normal((4, 1, 5, 5)) * 3
    images = rng.uniform(0, 1, (4, 1, 5, 5))
    mu, logvar = rng.standard_normal((4, 3)), rng.uniform(-2, 1, (4, 3))
    tensors = [Tensor(a, requires_grad=True) for a in (logits, images, mu, logvar)]
    tensors[1].requires_grad = False
    loss, reconstruction, kl = vae_loss(*tensors)
    loss.backward()
    return {"logits": logits, "images": images, "mu": mu, "logvar": logvar, "loss": loss.data,
            "reconstruction": reconstruction.data, "kl": kl.data, "grad_logits": tensors[0].grad,
            "grad_mu": tensors[2].grad, "grad_logvar": tensors[3].grad}


def decode_values(rng):
    z = rng.standard_normal((4, LATENT))
    values = {"z": z, "labels": LABELS}
    for classes in (0, 10):
        model = conv_vae(classes, LATENT)
        values[f"logits_{classes}"] = model.decode(as_tensor(z), LABELS if classes else None).data
    return values


def bernoulli_values(rng):
    logits = rng.standard_normal((3, 1, 4, 4)) * 4
    logits[0, 0, 0, :] = [1e4, -1e4, 800.0, -800.0]
    targets = rng.uniform(0, 1, (3, 1, 4, 4))
    targets[1] = np.round(targets[1])
    return {"logits": logits, "targets": targets,
            "log_likelihood": metrics.bernoulli_log_likelihood(as_tensor(logits), targets)}


def negative_elbo_values(rng):
    images, labels = digits(12)
    values = {}
    for classes in (0, 10):
        model = linear_vae(LATENT, classes)
        given = labels if classes else None
        values[f"seed7_{classes}"] = metrics.vae_negative_elbo(model, images, given, rng=np.random.default_rng(7),
                                                               batch_size=5)
        values[f"default_{classes}"] = metrics.vae_negative_elbo(model, images, given)
    return values


def log_mean_exp_values(rng):
    values = rng.standard_normal((3, 5)) * 4
    values[1] -= 800.0
    values[2] += 750.0
    return {"values": values, "axis1": metrics.log_mean_exp(values, axis=1),
            "axis0": metrics.log_mean_exp(values, axis=0), "single": metrics.log_mean_exp(values[:, :1], axis=1)}


def iwae_values(rng):
    images, labels = digits(6)
    values = {}
    for classes in (0, 10):
        model = linear_vae(LATENT, classes)
        given = labels if classes else None
        for k, batch_size in ((4, 9), (1, 2), (7, 100)):
            values[f"k{k}_{classes}"] = metrics.importance_weighted_nll(model, images, k, given,
                                                                        rng=np.random.default_rng(5),
                                                                        batch_size=batch_size)
    return values


GENERATORS = {
    "4_1_encode": (encode_values, 41),
    "4_2_reparameterize": (reparameterize_values, 42),
    "4_3_gaussian_kl": (gaussian_kl_values, 43),
    "4_4_vae_loss": (vae_loss_values, 44),
    "4_5_decode": (decode_values, 45),
    "4_6_bernoulli_log_likelihood": (bernoulli_values, 46),
    "4_7_negative_elbo": (negative_elbo_values, 47),
    "4_8_log_mean_exp": (log_mean_exp_values, 48),
    "4_9_importance_weighted_nll": (iwae_values, 49),
}


def main(argv=None) -> int:
    return write_known_values(GENERATORS, DATA, __doc__.split("\n")[0], argv)


if __name__ == "__main__":
    sys.exit(main())
