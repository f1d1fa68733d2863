"""vae_loss averages the BCE over the pixels too (reduction "mean"): the reconstruction term shrinks 784-fold
against the KL (the ELBO's sum taken as a mean over the wrong axes)."""

TARGET_TASK = "4.4"


def vae_loss(logits, images, mu, logvar):
    reconstruction = F.binary_cross_entropy_with_logits(logits, images, reduction="mean")
    kl = F.gaussian_kl(mu, logvar, reduction="mean")
    return reconstruction + kl, reconstruction, kl
