"""discriminator_loss averages the two halves, (BCE(real, 1) + BCE(fake, 0)) / 2: the loss and every gradient
half of the library's (and PyTorch DCGAN example's) sum."""

TARGET_TASK = "3.1"


def discriminator_loss(real_logits, fake_logits):
    return 0.5 * (_bce_with_constant_target(real_logits, 1.0) + _bce_with_constant_target(fake_logits, 0.0))
