"""The saturating generator loss without its minus sign: BCE(a, 0) = -log(1 - D(G(z))) instead of log(1 - D(G(z))),
a generator that minimises it pushes D(G(z)) down, towards being rejected."""

TARGET_TASK = "3.2"


def generator_loss(fake_logits, saturating=False):
    if saturating:
        return _bce_with_constant_target(fake_logits, 0.0)
    return _bce_with_constant_target(fake_logits, 1.0)
