"""dcgan_upsampling ends with a Sigmoid: the generator outputs images in [0, 1] instead of logits, and sample()
applies a second sigmoid (samples squeezed into [0.5, 0.73])."""

TARGET_TASK = "3.3"


def dcgan_upsampling():
    return nn.Sequential(
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1),
        nn.Sigmoid(),
    )
