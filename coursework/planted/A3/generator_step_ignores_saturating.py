"""generator_step always uses the non-saturating loss, whatever ``saturating`` says."""

TARGET_TASK = "3.6"


def generator_step(discriminator, optimizer, fake, labels=None, saturating=False):
    discriminator.requires_grad_(False)
    loss = generator_loss(discriminator(fake, labels))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    discriminator.requires_grad_(True)
    return loss.item()
