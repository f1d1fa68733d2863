"""gaussian_kl forgets the 1/2 of the closed form: twice the KL."""

TARGET_TASK = "4.3"


def gaussian_kl(mu, logvar, reduction="mean"):
    _check_same_shape(mu, logvar, "gaussian_kl")
    per_coordinate = exp(logvar) + mu * mu - 1 - logvar
    per_sample = sum(per_coordinate, axis=tuple(range(1, per_coordinate.ndim)))
    return reduce(per_sample, reduction, "gaussian_kl")
