"""bernoulli_log_likelihood takes log(sigmoid(l)) and log(1 - sigmoid(l)) directly: log(0) for large logits."""

TARGET_TASK = "4.6"


def bernoulli_log_likelihood(logits, targets):
    p = 1 / (1 + np.exp(-logits.numpy().astype(np.float64)))
    x = np.asarray(targets, dtype=np.float64)
    per_pixel = x * np.log(p) + (1 - x) * np.log(1 - p)
    return per_pixel.sum(axis=(1, 2, 3))
