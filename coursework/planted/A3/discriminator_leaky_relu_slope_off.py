"""discriminator_features uses LeakyReLU(0.1) where DCGAN uses a slope of 0.2: same shapes and parameters,
different logits wherever a pre-activation is negative."""

TARGET_TASK = "3.4"


def discriminator_features(in_channels, kernel_size=4):
    padding = (kernel_size - 1) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size, stride=2, padding=padding),
        nn.LeakyReLU(0.1),
        nn.Conv2d(64, 128, kernel_size, stride=2, padding=padding, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(0.1),
        nn.Flatten(),
    )
