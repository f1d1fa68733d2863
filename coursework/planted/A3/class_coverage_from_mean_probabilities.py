"""class_coverage takes the mean of the probabilities (the Inception Score's p(y)) as the class fractions instead
of counting each image's verdict: images each unsure between all classes look like a perfect spread."""

TARGET_TASK = "3.8"


def class_coverage(probs):
    probs = np.asarray(to_numpy(probs), dtype=np.float64)
    num_classes = probs.shape[1]
    fractions = probs.mean(axis=0)
    present = fractions[fractions > 0]
    entropy = -float(np.sum(present * np.log(present)))
    return {"class_fractions": fractions, "effective_classes": math.exp(entropy),
            "missing_classes": [int(c) for c in np.flatnonzero(fractions < 1 / (2 * num_classes))]}
