"""gaussian_kl is 0.1% too large (a constant 0.5005 for 1/2): caught only by tight comparisons."""

TARGET_TASK = "4.3"


def gaussian_kl(mu, logvar, reduction="mean"):
    _check_same_shape(mu, logvar, "gaussian_kl")
    per_coordinate = 0.5005 * (exp(logvar) + mu * mu - 1 - logvar)
    per_sample = sum(per_coordinate, axis=tuple(range(1, per_coordinate.ndim)))
    return reduce(per_sample, reduction, "gaussian_kl")
