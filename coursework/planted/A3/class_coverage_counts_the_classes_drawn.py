"""class_coverage counts every class drawn at least once as fully present, effective_classes = the number of
classes with f_c > 0 instead of exp(H): a spread of 91% one class and 1% each of nine others counts as 10."""

TARGET_TASK = "3.8"


def class_coverage(probs):
    probs = np.asarray(to_numpy(probs), dtype=np.float64)
    num_classes = probs.shape[1]
    fractions = np.bincount(probs.argmax(axis=1), minlength=num_classes) / len(probs)
    return {"class_fractions": fractions, "effective_classes": float(np.count_nonzero(fractions)),
            "missing_classes": [int(c) for c in np.flatnonzero(fractions < 1 / (2 * num_classes))]}
