"""VAE.reparameterize scales eps by the variance exp(logvar) instead of the standard deviation exp(logvar / 2)."""

TARGET_TASK = "4.2"


class VAE:
    def reparameterize(mu, logvar, eps):
        return mu + F.exp(logvar) * eps
