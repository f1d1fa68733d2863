"""train_step's further generator updates (generator_steps > 1) reuse the first fakes instead of drawing fresh
noise through the updated generator: right with one G update per step, wrong with more."""

TARGET_TASK = "3.7"


class GANTrainer:
    def train_step(self, images, labels):
        conditions = labels if self.config.num_classes else None
        noise = standard_normal(self.rng, (len(images), self.config.latent_dim))
        fake = F.sigmoid(self.generator(noise, conditions))
        scores = discriminator_step(self.discriminator, self.optimizers["discriminator"], Tensor(images), fake,
                                    conditions)
        g_losses = [generator_step(self.discriminator, self.optimizers["generator"], fake, conditions)
                    for _ in range(self.config.generator_steps)]
        return {"d_loss": scores["d_loss"], "g_loss": sum(g_losses) / len(g_losses),
                "d_real": scores["d_real"], "d_fake": scores["d_fake"]}
