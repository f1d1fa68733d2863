"""gaussian_kl averages over the latent coordinates instead of summing them (a mean over the wrong axis)."""

TARGET_TASK = "4.3"


def gaussian_kl(mu, logvar, reduction="mean"):
    _check_same_shape(mu, logvar, "gaussian_kl")
    per_coordinate = 0.5 * (exp(logvar) + mu * mu - 1 - logvar)
    per_sample = mean(per_coordinate, axis=tuple(range(1, per_coordinate.ndim)))
    return reduce(per_sample, reduction, "gaussian_kl")
