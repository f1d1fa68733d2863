"""vae_negative_elbo draws eps from a fresh default_rng(0) instead of the generator it is given."""

TARGET_TASK = "4.7"


def vae_negative_elbo(model, images, labels=None, rng=None, batch_size=500):
    rng = np.random.default_rng(0)
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
