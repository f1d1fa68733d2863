"""discriminator_step never zeroes D's gradients: each step adds its gradient to those of all earlier steps
(the first step is right, the second is not)."""

TARGET_TASK = "3.5"


def discriminator_step(discriminator, optimizer, real, fake, labels=None):
    real_logits = discriminator(real, labels)
    fake_logits = discriminator(fake.detach(), labels)
    loss = discriminator_loss(real_logits, fake_logits)
    loss.backward()
    optimizer.step()
    return {"d_loss": loss.item(), "d_real": F.sigmoid(real_logits).mean().item(),
            "d_fake": F.sigmoid(fake_logits).mean().item()}
