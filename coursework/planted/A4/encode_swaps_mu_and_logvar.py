"""VAE.encode takes the first L numbers as the log-variance and the last L as the mean."""

TARGET_TASK = "4.1"


class VAE:
    def encode(self, images, labels=None):
        check_labels(labels, self.num_classes, "VAE")
        features = append_one_hot(self.encoder(images), labels, self.num_classes)
        gaussian = self.to_gaussian(features)
        return gaussian[:, self.latent_dim:], gaussian[:, :self.latent_dim]
