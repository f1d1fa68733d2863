"""generator_step does not freeze D: G's update is right, but the backward also adds gradients to D's weights,
corrupting the gradients D's optimizer holds."""

TARGET_TASK = "3.6"


def generator_step(discriminator, optimizer, fake, labels=None, saturating=False):
    loss = generator_loss(discriminator(fake, labels), saturating)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
