"""discriminator_step reports D(x) and D(G(z)) of the updated discriminator (a second pass after the step), not
the scores the loss was computed from; the second pass also moves BatchNorm's running statistics."""

TARGET_TASK = "3.5"


def discriminator_step(discriminator, optimizer, real, fake, labels=None):
    loss = discriminator_loss(discriminator(real, labels), discriminator(fake.detach(), labels))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    real_logits, fake_logits = discriminator(real, labels), discriminator(fake.detach(), labels)
    return {"d_loss": loss.item(), "d_real": F.sigmoid(real_logits).mean().item(),
            "d_fake": F.sigmoid(fake_logits).mean().item()}
