"""discriminator_loss labels the generated images 1 as well (BCE(fake, 1)): the labels of the fake half swapped,
a discriminator that learns to call everything real."""

TARGET_TASK = "3.1"


def discriminator_loss(real_logits, fake_logits):
    return _bce_with_constant_target(real_logits, 1.0) + _bce_with_constant_target(fake_logits, 1.0)
