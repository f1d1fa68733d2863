"""log_mean_exp by the definition, log(mean(exp(v))): exp underflows to 0 (log 0) or overflows for large |v|."""

TARGET_TASK = "4.8"


def log_mean_exp(values, axis):
    return np.log(np.mean(np.exp(values), axis=axis))
