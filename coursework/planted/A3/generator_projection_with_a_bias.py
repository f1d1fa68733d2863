"""generator_projection gives its Linear layers a bias, which the BatchNorm after them subtracts again (a
parameter with a zero gradient; Adam turns round-off into steps): the state has extra entries."""

TARGET_TASK = "3.3"


def generator_projection(in_features, channels, hidden=0):
    layers = [nn.Linear(in_features, hidden), nn.BatchNorm1d(hidden), nn.ReLU()] if hidden else []
    return nn.Sequential(
        *layers,
        nn.Linear(hidden or in_features, channels * 7 * 7),
        nn.BatchNorm1d(channels * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (channels, 7, 7)),
    )
