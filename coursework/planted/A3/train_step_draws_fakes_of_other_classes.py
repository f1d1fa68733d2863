"""A conditional train_step draws the fakes for the batch's labels rolled by one place, but scores them with the
unrolled labels: D is told the wrong class of every fake (right for an unconditional GAN)."""

TARGET_TASK = "3.7"


class GANTrainer:
    def train_step(self, images, labels):
        conditions = labels if self.config.num_classes else None
        noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
        shuffled = None if conditions is None else np.roll(conditions, 1)
        fake = F.sigmoid(self.generator(noise, shuffled))
        scores = discriminator_step(self.discriminator, self.optimizers["discriminator"], Tensor(images), fake,
                                    conditions)
        g_losses = []
        for g_step in range(self.config.generator_steps):
            if g_step > 0:
                noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
                fake = F.sigmoid(self.generator(noise, shuffled))
            g_losses.append(generator_step(self.discriminator, self.optimizers["generator"], fake, conditions))
        return {"d_loss": scores["d_loss"], "g_loss": sum(g_losses) / len(g_losses),
                "d_real": scores["d_real"], "d_fake": scores["d_fake"]}
