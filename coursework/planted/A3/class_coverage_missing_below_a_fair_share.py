"""class_coverage calls a class missing below a full fair share 1/C instead of half of it, 1/(2C): with ten
classes, every class drawn 9% of the time is "missing"."""

TARGET_TASK = "3.8"


def class_coverage(probs):
    probs = np.asarray(to_numpy(probs), dtype=np.float64)
    num_classes = probs.shape[1]
    fractions = np.bincount(probs.argmax(axis=1), minlength=num_classes) / len(probs)
    present = fractions[fractions > 0]
    entropy = -float(np.sum(present * np.log(present)))
    return {"class_fractions": fractions, "effective_classes": math.exp(entropy),
            "missing_classes": [int(c) for c in np.flatnonzero(fractions < 1 / num_classes)]}
