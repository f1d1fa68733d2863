"""How good is a generative model?  FID, Inception Score, ELBO and the IWAE bound.

Two families of metrics live here.

**Sample quality (GAN and VAE), from a classifier's view of the images.**
A trained classifier (:class:`~nn_from_scratch.models.Classifier`) maps each
image to penultimate *features* (128 numbers) and to class *probabilities*.

* :func:`fid` — the Frechet distance between Gaussians fitted to the
  features of two image sets (Heusel et al., 2017)::

      FID = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr( (S_a^1/2 S_b S_a^1/2)^1/2 )

  0 for identical statistics; it grows when the generated images drift away
  from the real ones in mean (content) or covariance (diversity).  FID is
  biased upward for small sets, so :func:`fid_with_floor` also reports the
  FID between two disjoint halves of *real* held-out images: the score a
  perfect generator would get with the same number of images.
* :func:`inception_score` — exp(E_x KL(p(y|x) || p(y))) (Salimans et al.,
  2016): high when each image is classified confidently (sharp p(y|x)) and
  the classes are balanced (flat p(y)).  At most the number of classes.
* :func:`class_coverage` — a mode-collapse check: how many classes the
  samples spread over, by the classifier's verdict on each image.

These use a small digit classifier in place of the Inception network of the
papers, so the numbers are comparable between runs evaluated with the same
classifier only, not with published ImageNet-Inception figures.  By default
that is the classifier shipped with the package for the dataset
(:func:`evaluation_classifier`: one for MNIST and MNIST-10k, one for
Fashion-MNIST), so that every user gets the same numbers;
:func:`sample_quality` scores generated images with it in one call.

**Likelihood (VAE), in nats per image.**  With an encoder q(z|x) = N(mu,
diag(exp(logvar))), a prior p(z) = N(0, I) and a Bernoulli decoder p(x|z)
(the logits of the VAE's decoder):

* :func:`vae_negative_elbo` — -ELBO = E_q[-log p(x|z)] + KL(q(z|x) || p(z)),
  an upper bound on -log p(x);
* :func:`importance_weighted_nll` — the tighter IWAE bound (Burda et al.,
  2016) with k samples z_1..z_k ~ q(z|x)::

      -log p(x) <= -log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x)

  which equals -ELBO for k = 1 and approaches -log p(x) as k grows;
* :func:`reconstruction_error` — how well decode(mu(x)) reproduces x.

The images' grey levels in [0, 1] are used directly as Bernoulli targets,
as in training (see :mod:`nn_from_scratch.models.vae`), so these "nats" are
comparable with the VAE's training loss and with PyTorch's VAE example,
not with the published numbers for *binarized* MNIST.

Models run through the library (NumPy or CuPy) under ``no_grad``, in
batches; the statistics are computed in float64, on the host with NumPy,
except the VAE's reparameterisation and KL, which are the library's own
(``VAE.reparameterize``, ``F.gaussian_kl``) on float64 tensors of the
current backend.
"""

from __future__ import annotations

import math

import numpy as np

from . import functional as F
from .backend import to_numpy
from .models.classifier import evaluation_classifier
from .models.vae import VAE
from .tensor import Tensor, no_grad

# --------------------------------------------------------------------------
# Frechet Inception Distance
# --------------------------------------------------------------------------


def gaussian_statistics(features) -> tuple:
    """Mean (D,) and covariance (D, D) of ``features`` (N, D), in float64.

    The covariance is the unbiased one: sum_n (f_n - mean)(f_n - mean)^T / (N - 1).
    """
    features = np.asarray(to_numpy(features), dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"expected features of shape (N, D) with N >= 2, got {features.shape}")
    mean = features.mean(axis=0)
    centred = features - mean
    covariance = centred.T @ centred / (len(features) - 1)
    return mean, covariance


def symmetric_matrix_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The square root R of a symmetric positive semi-definite matrix: R @ R = matrix, R symmetric.

    With the eigen-decomposition matrix = V diag(w) V^T, R = V diag(sqrt(w)) V^T.
    Eigenvalues that round-off made slightly negative are treated as 0.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * roots) @ eigenvectors.T


def frechet_distance(mean_a, covariance_a, mean_b, covariance_b) -> float:
    """Squared Frechet (2-Wasserstein) distance between N(mean_a, S_a) and N(mean_b, S_b).

        d^2 = |mean_a - mean_b|^2 + tr(S_a) + tr(S_b) - 2 tr( (S_a^1/2 S_b S_a^1/2)^1/2 )

    The last trace is usually written tr((S_a S_b)^1/2); S_a S_b is not
    symmetric, but it is similar to the symmetric S_a^1/2 S_b S_a^1/2 (same
    eigenvalues), so both square roots are taken with :func:`symmetric_matrix_sqrt`'s
    eigen-decomposition: the trace of the second root is the sum of the
    square roots of the eigenvalues.
    """
    sqrt_a = symmetric_matrix_sqrt(covariance_a)
    product = sqrt_a @ covariance_b @ sqrt_a
    product = (product + product.T) / 2                  # remove round-off asymmetry
    trace_of_root = np.sqrt(np.clip(np.linalg.eigvalsh(product), 0.0, None)).sum()
    mean_term = float(np.sum((np.asarray(mean_a) - np.asarray(mean_b)) ** 2))
    distance = mean_term + np.trace(covariance_a) + np.trace(covariance_b) - 2 * trace_of_root
    return float(max(distance, 0.0))


def fid(features_a, features_b) -> float:
    """Frechet distance between Gaussian fits of two feature sets (N_a, D) and (N_b, D)."""
    return frechet_distance(*gaussian_statistics(features_a), *gaussian_statistics(features_b))


def fid_with_floor(generated_features, real_features) -> dict:
    """FID of generated images, next to the FID of real images against real images.

    The real (held-out) features are cut into two disjoint halves A and B of
    m = len(real_features) // 2 images each.  Then

    * ``fid``       = FID(first m generated, A)
    * ``fid_floor`` = FID(B, A): what a perfect generator, one that draws
      fresh real images, would score with the same number of images.

    Both distances use m images per side, so the floor is the right yardstick:
    a generator is as good as this metric can tell when ``fid`` reaches
    ``fid_floor``.  Returns {"fid", "fid_floor", "num_images": m}.
    """
    half = len(real_features) // 2
    if half < 2 or len(generated_features) < half:
        raise ValueError(f"fid_with_floor: need at least 4 real feature vectors and as many generated ones "
                         f"as half of them; got {len(real_features)} real and {len(generated_features)} generated")
    real_a, real_b = real_features[:half], real_features[half:2 * half]
    return {
        "fid": fid(generated_features[:half], real_a),
        "fid_floor": fid(real_b, real_a),
        "num_images": int(half),
    }


# --------------------------------------------------------------------------
# Inception Score
# --------------------------------------------------------------------------


def inception_score(probs, splits: int = 10) -> tuple:
    """Inception Score of class probabilities ``probs`` (N, C): (mean, std) over ``splits`` parts.

    For each part, with p(y) the mean of its rows,
        IS = exp( mean over x of KL(p(y|x) || p(y)) ),
        KL(p || q) = sum_c p_c (log p_c - log q_c)   (terms with p_c = 0 count 0).
    One-hot predictions spread evenly over C classes give exactly C; a model
    that puts every image in one class, or that is unsure of every image, gives 1.
    """
    probs = np.asarray(to_numpy(probs), dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"inception_score: expected probabilities of shape (N, C), got {probs.shape}")
    if not 1 <= splits <= len(probs):
        raise ValueError(f"inception_score: splits must be in 1..N={len(probs)}, got {splits}")
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(axis=0, keepdims=True)                       # p(y), (1, C)
        safe_part = np.where(part > 0, part, 1.0)                          # log(1) = 0 where p = 0
        safe_marginal = np.where(marginal > 0, marginal, 1.0)
        kl = np.sum(part * (np.log(safe_part) - np.log(safe_marginal)), axis=1)
        scores.append(math.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_coverage(probs) -> dict:
    """A mode-collapse check: how generated images spread over the classes, by a classifier's verdict.

    ``probs`` (N, C): class probabilities of N images (the evaluation classifier's softmax).  Each
    image counts for its most probable class, c_n = argmax_c probs[n, c] (the first one on a tie); with

        f_c = #{n : c_n = c} / N                 the class fractions, (C,), summing to 1
        H   = -sum_c f_c ln f_c                  in nats; a class with f_c = 0 adds 0

    returns a dict:

    * ``class_fractions``: f as a float64 array (C,);
    * ``effective_classes``: exp(H), the number of equally frequent classes with the same entropy:
      C when every class is drawn equally often, 1 when every image is of one class;
    * ``missing_classes``: the sorted list of classes c (Python ints) with f_c < 1 / (2C), drawn less
      than half as often as an even spread would.

    A collapsed generator draws few classes: ``effective_classes`` far below C and classes missing.
    Unlike the Inception Score's p(y), the mean of the probabilities, counting verdicts is not fooled
    by images that are each unsure between all classes.
    """
    probs = np.asarray(to_numpy(probs), dtype=np.float64)
    if probs.ndim != 2 or len(probs) == 0:
        raise ValueError(f"class_coverage: expected probabilities of shape (N, C) with N >= 1, got {probs.shape}")
    num_classes = probs.shape[1]
    fractions = np.bincount(probs.argmax(axis=1), minlength=num_classes) / len(probs)
    present = fractions[fractions > 0]
    entropy = -float(np.sum(present * np.log(present)))
    return {"class_fractions": fractions, "effective_classes": math.exp(entropy),
            "missing_classes": [int(c) for c in np.flatnonzero(fractions < 1 / (2 * num_classes))]}


def classifier_outputs(classifier, images, batch_size: int = 500) -> tuple:
    """Penultimate features (N, F) and class probabilities (N, C) of ``images`` (N, 1, 28, 28).

    Runs the classifier in evaluation mode, under ``no_grad``, ``batch_size``
    images at a time; returns float64 NumPy arrays on the host.
    """
    was_training = classifier.training
    classifier.eval()
    features, probs = [], []
    with no_grad():
        for start in range(0, len(images), batch_size):
            batch = Tensor(np.asarray(to_numpy(images[start:start + batch_size]), dtype=np.float32))
            batch_features = classifier.features(batch)
            logits = classifier.head(batch_features)
            features.append(batch_features.numpy().astype(np.float64))
            probs.append(F.softmax(logits, axis=-1).numpy().astype(np.float64))
    classifier.train(was_training)
    return np.concatenate(features), np.concatenate(probs)


def sample_quality(samples, real_images, classifier=None, dataset: str = "mnist", labels=None) -> dict:
    """FID (with its real-vs-real floor) and Inception Score of generated ``samples`` against ``real_images``.

    Both are image arrays (N, 1, 28, 28) in [0, 1]; ``real_images`` are
    held-out real images, in an order of your choosing (shuffle them first if
    they are sorted).  With m = len(real_images) // 2 (``samples`` needs at
    least m images):

    * ``fid``, ``fid_floor``, ``num_images``: :func:`fid_with_floor` of the
      first m samples against the real images (floor: second half vs first);
    * ``inception_score``, ``inception_score_std``: of the first m samples,
      in min(10, m) splits; ``inception_score_real``: of the first m real
      images, the same way;
    * ``effective_classes``, ``missing_classes``: :func:`class_coverage` of
      the first m samples (a mode-collapse check);
    * ``label_accuracy``, if ``labels`` (the classes the samples were drawn
      for) are given: the fraction the classifier puts in that class.

    ``classifier`` is the feature network; by default the shipped
    :func:`evaluation_classifier` of ``dataset``.
    """
    if classifier is None:
        classifier = evaluation_classifier(dataset)
    count = len(real_images) // 2
    real_features, real_probs = classifier_outputs(classifier, real_images)
    sample_features, sample_probs = classifier_outputs(classifier, samples[:count])
    results = fid_with_floor(sample_features, real_features)
    splits = min(10, count)
    results["inception_score"], results["inception_score_std"] = inception_score(sample_probs, splits)
    results["inception_score_real"] = inception_score(real_probs[:count], splits)[0]
    coverage = class_coverage(sample_probs)
    results["effective_classes"], results["missing_classes"] = coverage["effective_classes"], \
        coverage["missing_classes"]
    if labels is not None:
        results["label_accuracy"] = float(np.mean(sample_probs.argmax(axis=1) == np.asarray(labels)[:count]))
    return results


# --------------------------------------------------------------------------
# VAE likelihood bounds
# --------------------------------------------------------------------------

LOG_2PI = math.log(2 * math.pi)


def _default_rng(rng):
    return np.random.default_rng(0) if rng is None else rng


def bernoulli_log_likelihood(logits: Tensor, targets) -> np.ndarray:
    """log p(x|z) of images under the decoder's pixel Bernoullis, per image, in nats.

        log p(x|z) = sum over pixels of [ x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)) ]
                   = -sum over pixels of BCE(l, x)            (BCE on logits l, stable for any l)

    Shapes: logits (N, C, H, W) Tensor, targets (N, C, H, W) in [0, 1] (array) -> (N,) float64 NumPy
    array on the host.  With grey-level targets (not 0/1) this is the negative cross-entropy, not a
    true log-probability (see :mod:`nn_from_scratch.models.vae`).
    """
    bce = F.binary_cross_entropy_with_logits(logits, Tensor(targets), reduction="none")
    return -bce.sum(axis=(1, 2, 3)).numpy().astype(np.float64)


def _encode(model, images, labels):
    """(mu, logvar) of the encoder as float64 host arrays (N, D)."""
    mu, logvar = model.encode(Tensor(images), labels)
    return mu.numpy().astype(np.float64), logvar.numpy().astype(np.float64)


def _batches(images, labels, batch_size):
    """(images float32, labels or None) slices of ``batch_size``."""
    images = np.asarray(to_numpy(images), dtype=np.float32)
    for start in range(0, len(images), batch_size):
        batch_labels = None if labels is None else np.asarray(labels[start:start + batch_size])
        yield images[start:start + batch_size], batch_labels


def vae_negative_elbo(model, images, labels=None, rng=None, batch_size: int = 500) -> float:
    """Mean -ELBO of ``images`` (N, 1, H, W) in [0, 1], in nats per image (one z sample per image).

        -ELBO(x) = -log p(x | z) + KL( q(z|x) || N(0, I) ),   z = mu + exp(logvar / 2) * eps

    ``labels`` (N,) are needed by a conditional model; ``rng`` (a NumPy
    Generator, default seeded 0) draws eps.  In batches of ``batch_size``
    images (``_batches``): (mu, logvar) = ``_encode`` (float64, (n, D));
    eps = rng.standard_normal((n, D), dtype=float32), drawn batch after batch;
    z by ``VAE.reparameterize``, cast to float32 and decoded; log p(x|z) by
    :func:`bernoulli_log_likelihood`; the KL in closed form by ``F.gaussian_kl``.
    The model runs in evaluation mode without gradients and is left in the
    mode it was in.  With grey-level targets the result is a cross-entropy
    bound, not a bound on a true -log p(x) (see the module docstring).
    """
    rng = _default_rng(rng)
    was_training = model.training
    model.eval()
    totals = []
    with no_grad():
        for batch, batch_labels in _batches(images, labels, batch_size):
            mu, logvar = _encode(model, batch, batch_labels)
            eps = rng.standard_normal(mu.shape, dtype=np.float32)
            z = VAE.reparameterize(Tensor(mu), Tensor(logvar), eps).numpy().astype(np.float32)
            log_likelihood = bernoulli_log_likelihood(model.decode(Tensor(z), batch_labels), batch)
            kl = F.gaussian_kl(Tensor(mu), Tensor(logvar), reduction="none").numpy()
            totals.append(kl - log_likelihood)
    model.train(was_training)
    return float(np.concatenate(totals).mean())


def log_mean_exp(values: np.ndarray, axis: int) -> np.ndarray:
    """log( mean(exp(values)) ) along ``axis``, without overflow or underflow.

        log (1/k) sum_i exp(v_i) = m + log( (1/k) sum_i exp(v_i - m) ),   m = max_i v_i

    (every exp(v_i - m) <= 1, and the largest is exactly 1).  Shapes: ``values`` (..., k, ...) ->
    the same without ``axis``.
    """
    largest = values.max(axis=axis, keepdims=True)
    return (largest + np.log(np.mean(np.exp(values - largest), axis=axis, keepdims=True))).squeeze(axis)


def importance_weighted_nll(model, images, k: int = 100, labels=None, rng=None,
                            batch_size: int = 1000) -> float:
    """Mean importance-weighted estimate of -log p(x), in nats per image (Burda et al., 2016).

    For each image, draw z_1..z_k ~ q(z|x) = N(mu, diag(sigma^2)) and compute the log weights

        log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)
        log p(z)   = -1/2 sum_d (z_d^2 + log 2 pi)
        log q(z|x) = -1/2 sum_d (eps_d^2 + logvar_d + log 2 pi),   z = mu + sigma * eps

    then -log p(x) ~= -log_mean_exp(log w_1..log w_k).  In expectation this
    is <= the -ELBO and decreases towards -log p(x) as k grows.

    The k copies of each image are decoded together: ``batch_size`` is the
    number of *decoded* images per forward pass (images per pass = batch_size // k, at least 1).

    Per pass of n images (``_batches``): (mu, logvar) = ``_encode``; eps =
    rng.standard_normal((n, k, D), dtype=float32), drawn pass after pass; z by
    ``VAE.reparameterize`` on mu and logvar with a new axis for the k samples
    (n, k, D); the decoder gets the n * k codes as float32 (image i's k codes
    in a row, labels repeated k times with ``np.repeat``); log p(x|z) by
    :func:`bernoulli_log_likelihood`; the rest in float64 with
    :func:`log_mean_exp`.  The model runs in evaluation mode without gradients
    and is left in the mode it was in.  With grey-level targets this bounds a
    cross-entropy, not a true -log p(x) (see the module docstring).
    """
    if k < 1:
        raise ValueError(f"importance_weighted_nll: k must be >= 1, got {k}")
    rng = _default_rng(rng)
    was_training = model.training
    model.eval()
    images_per_pass = max(1, batch_size // k)
    nll = []
    with no_grad():
        for batch, batch_labels in _batches(images, labels, images_per_pass):
            n = len(batch)
            mu, logvar = _encode(model, batch, batch_labels)                   # (n, D)
            eps = rng.standard_normal((n, k, mu.shape[1]), dtype=np.float32)    # (n, k, D)
            z = VAE.reparameterize(Tensor(mu[:, None, :]), Tensor(logvar[:, None, :]), eps).numpy()   # (n, k, D)
            repeated_labels = None if batch_labels is None else np.repeat(batch_labels, k)
            logits = model.decode(Tensor(z.reshape(n * k, -1).astype(np.float32)), repeated_labels)
            log_likelihood = bernoulli_log_likelihood(logits, np.repeat(batch, k, axis=0)).reshape(n, k)
            log_prior = -0.5 * np.sum(z ** 2 + LOG_2PI, axis=2)
            log_posterior = -0.5 * np.sum(eps.astype(np.float64) ** 2 + logvar[:, None, :] + LOG_2PI, axis=2)
            nll.append(-log_mean_exp(log_likelihood + log_prior - log_posterior, axis=1))
    model.train(was_training)
    return float(np.concatenate(nll).mean())


def reconstruction_error(model, images, labels=None, batch_size: int = 500) -> dict:
    """How well the VAE reproduces ``images`` from the mean of its code, z = mu(x).

    Returns {"bce": mean nats per image (BCE summed over pixels),
             "mse": mean squared error per pixel between x and sigmoid(decode(mu))}.
    """
    was_training = model.training
    model.eval()
    bce, squared_error = [], []
    with no_grad():
        for batch, batch_labels in _batches(images, labels, batch_size):
            mu, _ = model.encode(Tensor(batch), batch_labels)
            logits = model.decode(mu, batch_labels)
            bce.append(-bernoulli_log_likelihood(logits, batch))
            reconstruction = F.sigmoid(logits).numpy().astype(np.float64)
            squared_error.append(np.mean((reconstruction - batch) ** 2, axis=(1, 2, 3)))
    model.train(was_training)
    return {"bce": float(np.concatenate(bce).mean()), "mse": float(np.concatenate(squared_error).mean())}
