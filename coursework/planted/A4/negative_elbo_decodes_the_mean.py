"""vae_negative_elbo decodes mu itself instead of a sample z = mu + sigma * eps (and leaves the model in
evaluation mode)."""

TARGET_TASK = "4.7"


def vae_negative_elbo(model, images, labels=None, rng=None, batch_size=500):
    model.eval()
    totals = []
    with no_grad():
        for batch, batch_labels in _batches(images, labels, batch_size):
            mu, logvar = _encode(model, batch, batch_labels)
            log_likelihood = bernoulli_log_likelihood(model.decode(Tensor(mu.astype(np.float32)), batch_labels),
                                                      batch)
            kl = F.gaussian_kl(Tensor(mu), Tensor(logvar), reduction="none").numpy()
            totals.append(kl - log_likelihood)
    return float(np.concatenate(totals).mean())
