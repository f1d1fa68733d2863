"""vae_loss sums the KL over the images while averaging the reconstruction: the KL weighs N times too much."""

TARGET_TASK = "4.4"


def vae_loss(logits, images, mu, logvar):
    batch_size = images.shape[0]
    reconstruction = F.binary_cross_entropy_with_logits(logits, images, reduction="sum") / batch_size
    kl = F.gaussian_kl(mu, logvar, reduction="sum")
    return reconstruction + kl, reconstruction, kl
