"""bernoulli_log_likelihood averages over the pixels instead of summing them: nats per pixel, not per image."""

TARGET_TASK = "4.6"


def bernoulli_log_likelihood(logits, targets):
    bce = F.binary_cross_entropy_with_logits(logits, Tensor(targets), reduction="none")
    return -bce.mean(axis=(1, 2, 3)).numpy().astype(np.float64)
