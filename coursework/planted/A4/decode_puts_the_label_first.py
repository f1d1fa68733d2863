"""VAE.decode joins the one-hot label before the code, [one_hot(y), z], instead of [z, one_hot(y)]: the shapes
fit, the decoder's weights read the wrong columns."""

TARGET_TASK = "4.5"


class VAE:
    def decode(self, z, labels=None):
        check_labels(labels, self.num_classes, "VAE")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"VAE.decode: expected codes of shape (N, {self.latent_dim}), got {z.shape}")
        if self.num_classes == 0:
            return self.decoder(z)
        from .conditioning import one_hot

        return self.decoder(F.concatenate([one_hot(labels, self.num_classes, like=z), z], axis=1))
