"""log_mean_exp computes log-sum-exp: stable, but without the -log k of the mean."""

TARGET_TASK = "4.8"


def log_mean_exp(values, axis):
    largest = values.max(axis=axis, keepdims=True)
    return (largest + np.log(np.sum(np.exp(values - largest), axis=axis, keepdims=True))).squeeze(axis)
