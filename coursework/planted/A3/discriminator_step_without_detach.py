"""discriminator_step scores the fakes without detaching them: D's update is right, but the backward runs on into
the generator and leaves gradients (of D's loss) on G's weights."""

TARGET_TASK = "3.5"


def discriminator_step(discriminator, optimizer, real, fake, labels=None):
    real_logits = discriminator(real, labels)
    fake_logits = discriminator(fake, labels)
    loss = discriminator_loss(real_logits, fake_logits)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"d_loss": loss.item(), "d_real": F.sigmoid(real_logits).mean().item(),
            "d_fake": F.sigmoid(fake_logits).mean().item()}
