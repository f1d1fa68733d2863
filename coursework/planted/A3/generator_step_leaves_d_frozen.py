"""generator_step freezes D and never unfreezes it: the next discriminator step computes no gradient for D."""

TARGET_TASK = "3.6"


def generator_step(discriminator, optimizer, fake, labels=None, saturating=False):
    discriminator.requires_grad_(False)
    loss = generator_loss(discriminator(fake, labels), saturating)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
