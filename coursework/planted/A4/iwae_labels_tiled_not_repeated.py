"""importance_weighted_nll gives the k copies of the images their labels with np.tile (y1 y2 y1 y2 ...) instead of
np.repeat (y1 y1 y2 y2 ...): each code is decoded with another image's label."""

TARGET_TASK = "4.9"


def importance_weighted_nll(model, images, k=100, labels=None, rng=None, batch_size=1000):
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
            mu, logvar = _encode(model, batch, batch_labels)
            eps = rng.standard_normal((n, k, mu.shape[1]), dtype=np.float32)
            z = VAE.reparameterize(Tensor(mu[:, None, :]), Tensor(logvar[:, None, :]), eps).numpy()
            repeated_labels = None if batch_labels is None else np.tile(batch_labels, k)
            logits = model.decode(Tensor(z.reshape(n * k, -1).astype(np.float32)), repeated_labels)
            log_likelihood = bernoulli_log_likelihood(logits, np.repeat(batch, k, axis=0)).reshape(n, k)
            log_prior = -0.5 * np.sum(z ** 2 + LOG_2PI, axis=2)
            log_posterior = -0.5 * np.sum(eps.astype(np.float64) ** 2 + logvar[:, None, :] + LOG_2PI, axis=2)
            nll.append(-log_mean_exp(log_likelihood + log_prior - log_posterior, axis=1))
    model.train(was_training)
    return float(np.concatenate(nll).mean())
