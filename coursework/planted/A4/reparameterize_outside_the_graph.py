"""VAE.reparameterize computes z with NumPy on the arrays: right values, but no gradient reaches mu and logvar."""

TARGET_TASK = "4.2"


class VAE:
    def reparameterize(mu, logvar, eps):
        import numpy

        noise = eps.data if isinstance(eps, Tensor) else eps
        return Tensor(mu.data + numpy.exp(logvar.data / 2) * noise)
