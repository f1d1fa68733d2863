"""DCGAN for 28x28 images (Radford, Metz & Chintala, 2016), optionally class-conditional.

A generator G turns noise z ~ N(0, I) into images; a discriminator D
outputs one logit per image, the log-odds that the image is real.  They are
trained against each other (Goodfellow et al., 2014):

* D minimises  L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))]
  (binary cross-entropy: real images labelled 1, generated images 0);
* G minimises the *non-saturating* loss  L_G = -E_z[log D(G(z))]
  rather than E_z[log(1 - D(G(z)))]: both push D(G(z)) up, but early in
  training, when D easily rejects the samples (D(G(z)) ~ 0), the gradient of
  log(1 - D) vanishes while that of -log D is largest.

With D(x) = sigmoid(logit), both are :func:`F.binary_cross_entropy_with_logits`,
which is stable for any logit.

Shapes (N images, latent size L, C classes; C = 0 for the unconditional model)::

    Generator      z (N, L) [+ one-hot (N, C)]
      Linear(L + C, 128*7*7) -> BatchNorm1d -> ReLU -> Unflatten   (N, 128, 7, 7)
      ConvTranspose2d(128, 64, 4, stride 2, padding 1) -> BatchNorm2d -> ReLU   (N, 64, 14, 14)
      ConvTranspose2d(64, 1, 4, stride 2, padding 1)                 logits (N, 1, 28, 28)

    Generator(architecture="upsample"): wider, one layer deeper, resize-convolutions
      Linear(L + C, 256*7*7) -> BatchNorm1d -> ReLU -> Unflatten   (N, 256, 7, 7)
      Upsample(2) -> Conv2d(256, 128, 5, padding 2) -> BatchNorm2d -> ReLU   (N, 128, 14, 14)
      Conv2d(128, 128, 3, padding 1) -> BatchNorm2d -> ReLU          (N, 128, 14, 14)
      Upsample(2) -> Conv2d(128, 1, 5, padding 2)                    logits (N, 1, 28, 28)

    Generator(architecture="radford"): the generator of Radford et al.'s MNIST code
      Linear(L + C, 1024) -> BatchNorm1d -> ReLU                     (N, 1024)
      Linear(1024, 128*7*7) -> BatchNorm1d -> ReLU -> Unflatten     (N, 128, 7, 7)
      ConvTranspose2d(128, 64, 5, stride 2, padding 2, output_padding 1) -> BatchNorm2d -> ReLU   (N, 64, 14, 14)
      ConvTranspose2d(64, 1, 5, stride 2, padding 2, output_padding 1)   logits (N, 1, 28, 28)
      (output_padding 1 makes (7 - 1)*2 - 2*2 + 5 = 13 into 14, and 27 into 28)

    Discriminator  x (N, 1, 28, 28) [+ C constant label maps]
      Conv2d(1 + C, 64, 4, stride 2, padding 1) -> LeakyReLU(0.2)   (N, 64, 14, 14)
      Conv2d(64, 128, 4, stride 2, padding 1) -> BatchNorm2d -> LeakyReLU(0.2)   (N, 128, 7, 7)
      Flatten [+ one-hot (N, C)] -> Linear(128*7*7 + C, 1)           logits (N, 1)

    Discriminator(kernel_size=5): the same with 5x5 kernels and padding 2, the kernel size of
      Radford et al.'s own MNIST code (same output sizes: floor((28 + 2*2 - 5) / 2) + 1 = 14,
      then 7); each pixel of the 7x7 map sees a 13x13 patch of the image instead of 10x10
      (k + 2(k - 1) pixels for two stride-2 layers).

    Discriminator(hidden=H): Linear(128*7*7 + C, H) -> BatchNorm1d -> LeakyReLU(0.2) between
      the features and the logit, which becomes Linear(H, 1).  Radford et al.'s MNIST
      discriminator is Discriminator(kernel_size=5, hidden=1024).

A layer followed by BatchNorm has no bias (``bias=False``, as in the DCGAN
reference code): BatchNorm subtracts the batch mean, which removes any
constant added before it, so that bias would get a zero gradient and Adam,
which divides by the gradient's size, would turn round-off noise into steps.

The default generator is the DCGAN one.  ``architecture="upsample"`` trades
about 27x the generator's arithmetic (193 vs 7.2 million multiply-adds per
image, almost all in the 5x5 convolution at 14x14) for sharper, more varied unconditional
samples: on MNIST-10k after 20 epochs its Inception Score is about 8 (median 7.99 of
3 seeds) where the DCGAN generator's is about 7 (BENCHMARKS.md, with the variants
tried).  Paired with the 5x5 discriminator and two generator updates per step at
learning rate 4e-4 (``train gan --generator upsample --discriminator-kernel 5
--generator-steps 2 --lr 4e-4``) it reaches 8.43 (median of 3 seeds).  Nearest-neighbour upsampling
followed by a stride-1 convolution is the "resize-convolution" of Odena et al. (2016,
"Deconvolution and checkerboard artifacts").

``architecture="radford"`` with ``Discriminator(kernel_size=5, hidden=1024)`` is the
model of Radford et al.'s own MNIST code (``dcgan_code/mnist/train_cond_dcgan.py``,
unconditional here), trained with the DCGAN recipe (``train gan --generator radford
--discriminator-kernel 5 --discriminator-hidden 1024``): about 2.3x the DCGAN
generator's arithmetic (16.9 vs 7.2 million multiply-adds per image), and the best
unconditional samples here (the Inception Scores and run times are in BENCHMARKS.md,
"Quality").

The generator outputs *logits*; ``sigmoid(logits)`` are images in [0, 1],
the range of the real images, and that is what the discriminator sees.
All weights start as in the DCGAN paper: N(0, 0.02^2), BatchNorm scales
N(1, 0.02^2), biases 0 (:func:`nn.init.dcgan_init`).
"""

from __future__ import annotations

from .. import functional as F
from .. import nn
from ..backend import array_module
from ..tensor import Tensor
from .conditioning import append_label_maps, append_one_hot, check_labels

IMAGE_SHAPE = (1, 28, 28)
GENERATOR_ARCHITECTURES = ("dcgan", "upsample", "radford")
DISCRIMINATOR_KERNEL_SIZES = (4, 5)          # 4: the DCGAN one (padding 1); 5: padding 2


def generator_projection(in_features: int, channels: int, hidden: int = 0) -> nn.Sequential:
    """The generator's first block: noise (N, in_features) -> feature maps (N, channels, 7, 7).

        [Linear(in_features, hidden, bias=False) -> BatchNorm1d(hidden) -> ReLU]    only if hidden > 0
        Linear(hidden or in_features, channels*7*7, bias=False) -> BatchNorm1d(channels*7*7) -> ReLU
        -> Unflatten(1, (channels, 7, 7))

    in one ``nn.Sequential``, in this order (its parameter names, "0.weight", "1.weight", ..., follow
    from it).  No bias before a BatchNorm: it would subtract it again.  ``hidden`` = 1024 is Radford
    et al.'s extra layer (architecture "radford"); the DCGAN generator has none.
    """
    layers = [nn.Linear(in_features, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()] if hidden else []
    return nn.Sequential(
        *layers,
        nn.Linear(hidden or in_features, channels * 7 * 7, bias=False),
        nn.BatchNorm1d(channels * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (channels, 7, 7)),
    )


def dcgan_upsampling() -> nn.Sequential:
    """The DCGAN generator's second block: (N, 128, 7, 7) -> image logits (N, 1, 28, 28).

        ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False) -> BatchNorm2d(64) -> ReLU   (N, 64, 14, 14)
        ConvTranspose2d(64, 1, 4, stride=2, padding=1)                                            (N, 1, 28, 28)

    Each transposed convolution doubles the side: (H - 1)*2 - 2*1 + 4 = 2H.  The last layer keeps its
    bias (no BatchNorm follows) and has no activation: the generator outputs logits.
    """
    return nn.Sequential(
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1),
    )


def discriminator_features(in_channels: int, kernel_size: int = 4) -> nn.Sequential:
    """The discriminator's convolutions: images (N, in_channels, 28, 28) -> features (N, 128*7*7).

        Conv2d(in_channels, 64, k, stride=2, padding=p) -> LeakyReLU(0.2)                    (N, 64, 14, 14)
        Conv2d(64, 128, k, stride=2, padding=p, bias=False) -> BatchNorm2d(128) -> LeakyReLU(0.2)   (N, 128, 7, 7)
        Flatten                                                                               (N, 128*7*7)

    with p = (k - 1) // 2 (k = 4: p = 1; k = 5: p = 2; either way 28 -> 14 -> 7).  No BatchNorm on the
    first layer (the DCGAN recipe: it would normalise the images themselves); LeakyReLU's slope 0.2 lets
    the images D rejects pass a gradient back to the generator.
    """
    padding = (kernel_size - 1) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size, stride=2, padding=padding),
        nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, kernel_size, stride=2, padding=padding, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
    )


class Generator(nn.Module):
    """G(z, label): noise (N, latent_dim) [and labels (N,)] -> image logits (N, 1, 28, 28).

    ``architecture``: "dcgan" (ConvTranspose2d, 128 channels; the default), "upsample"
    (Upsample + Conv2d, 256 channels, one more convolution) or "radford" (a 1024-unit
    Linear layer first, 5x5 ConvTranspose2d kernels); see the module docstring.
    """

    def __init__(self, latent_dim: int = 100, num_classes: int = 0, architecture: str = "dcgan"):
        super().__init__()
        if architecture not in GENERATOR_ARCHITECTURES:
            raise ValueError(f"Generator: architecture must be one of {GENERATOR_ARCHITECTURES}, "
                             f"got {architecture!r}")
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes)
        self.architecture = architecture
        self.channels = 256 if architecture == "upsample" else 128  # of the 7x7 maps after the projection
        self.project = generator_projection(self.latent_dim + self.num_classes, self.channels,
                                            hidden=1024 if architecture == "radford" else 0)
        if architecture == "dcgan":
            self.upsample = dcgan_upsampling()
        elif architecture == "radford":                    # 5x5 kernels: 7 -> 14 -> 28 with output_padding 1
            self.upsample = nn.Sequential(
                nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False),
                nn.BatchNorm2d(64),
                nn.ReLU(),
                nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1),
            )
        else:
            self.upsample = nn.Sequential(                 # (N, 256, 7, 7) -> (N, 1, 28, 28)
                nn.Upsample(scale_factor=2),
                nn.Conv2d(256, 128, 5, padding=2, bias=False),
                nn.BatchNorm2d(128),
                nn.ReLU(),
                nn.Conv2d(128, 128, 3, padding=1, bias=False),
                nn.BatchNorm2d(128),
                nn.ReLU(),
                nn.Upsample(scale_factor=2),
                nn.Conv2d(128, 1, 5, padding=2),
            )
        nn.init.dcgan_init(self)

    def forward(self, noise: Tensor, labels=None) -> Tensor:
        """Image logits (N, 1, 28, 28) for ``noise`` (N, latent_dim) and, if conditional, ``labels`` (N,).

        The labels go in as one-hot vectors appended to the noise (``append_one_hot``: (N, L) -> (N, L + C);
        unconditional: the noise as it is); then ``self.project`` (-> (N, channels, 7, 7)) and
        ``self.upsample`` (-> (N, 1, 28, 28)).  Logits, not images: :meth:`sample` applies the sigmoid.
        """
        check_labels(labels, self.num_classes, "Generator")
        if noise.ndim != 2 or noise.shape[1] != self.latent_dim:
            raise ValueError(f"Generator: expected noise of shape (N, {self.latent_dim}), got {noise.shape}")
        return self.upsample(self.project(append_one_hot(noise, labels, self.num_classes)))

    def sample(self, noise: Tensor, labels=None) -> Tensor:
        """Images in [0, 1], (N, 1, 28, 28): sigmoid of the logits."""
        return F.sigmoid(self(noise, labels))


class Discriminator(nn.Module):
    """D(x, label): images (N, 1, 28, 28) in [0, 1] [and labels (N,)] -> logits (N, 1) of "real".

    ``kernel_size``: 4 (the DCGAN discriminator; the default) or 5 (padding 2, same shapes).
    ``hidden``: 0 (the default: the features go straight to the logit) or the width of a
    Linear -> BatchNorm1d -> LeakyReLU(0.2) layer between them (1024 in Radford et al.'s
    MNIST code).  See the module docstring.
    """

    def __init__(self, num_classes: int = 0, kernel_size: int = 4, hidden: int = 0):
        super().__init__()
        if type(kernel_size) is not int or kernel_size not in DISCRIMINATOR_KERNEL_SIZES:
            raise ValueError(f"Discriminator: kernel_size must be one of {DISCRIMINATOR_KERNEL_SIZES}, "
                             f"got {kernel_size!r}")
        if type(hidden) is not int or hidden < 0:
            raise ValueError(f"Discriminator: hidden must be an int >= 0 (0: no hidden layer), got {hidden!r}")
        self.num_classes = int(num_classes)
        self.kernel_size = kernel_size
        self.hidden_units = hidden
        self.features = discriminator_features(1 + self.num_classes, kernel_size)
        if hidden:                                         # (N, 128*7*7 + C) -> (N, hidden)
            self.hidden = nn.Sequential(
                nn.Linear(128 * 7 * 7 + self.num_classes, hidden, bias=False),
                nn.BatchNorm1d(hidden),
                nn.LeakyReLU(0.2),
            )
        self.classify = nn.Linear(hidden or (128 * 7 * 7 + self.num_classes), 1)
        nn.init.dcgan_init(self)

    def forward(self, images: Tensor, labels=None) -> Tensor:
        """Logits (N, 1): log-odds that each image is a real one (of its class, if conditional).

        Conditional: the labels go in twice, as C constant label maps appended to the image channels
        (``append_label_maps``: (N, 1, 28, 28) -> (N, 1 + C, 28, 28)) before ``self.features``, and as
        one-hot vectors appended to the features (``append_one_hot``: (N, 128*7*7) -> (N, 128*7*7 + C))
        after them.  Then ``self.hidden`` if ``hidden`` > 0, and ``self.classify`` -> (N, 1).
        Unconditional (C = 0): both appends give their input back.
        """
        check_labels(labels, self.num_classes, "Discriminator")
        if tuple(images.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"Discriminator: expected images of shape (N, 1, 28, 28), got {images.shape}")
        features = append_one_hot(self.features(append_label_maps(images, labels, self.num_classes)),
                                  labels, self.num_classes)
        if self.hidden_units:
            features = self.hidden(features)
        return self.classify(features)


def _bce_with_constant_target(logits: Tensor, value: float) -> Tensor:
    """Mean BCE of ``logits`` against a target that is ``value`` (1 = real, 0 = fake) everywhere."""
    target = array_module(logits.data).full_like(logits.data, value)   # same shape, dtype and device
    return F.binary_cross_entropy_with_logits(logits, Tensor(target))


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """L_D = -mean log D(x) - mean log(1 - D(G(z))) = BCE(real logits, 1) + BCE(fake logits, 0)."""
    return _bce_with_constant_target(real_logits, 1.0) + _bce_with_constant_target(fake_logits, 0.0)


def generator_loss(fake_logits: Tensor, saturating: bool = False) -> Tensor:
    """The generator's loss, from D's logits a (N, 1) of generated images, D(G(z)) = sigmoid(a).

    Non-saturating (the default; what the library trains with):
        L_G = -mean log D(G(z)) = BCE(a, 1),        dL_G/da_n = (sigmoid(a_n) - 1) / N
    Saturating (``saturating=True``; the minimax game's own term, Goodfellow et al., 2014):
        L_G = mean log(1 - D(G(z))) = -BCE(a, 0),   dL_G/da_n = -sigmoid(a_n) / N
    Both push D(G(z)) up; where D rejects the fakes (a very negative) the saturating gradient
    vanishes, the non-saturating one is about -1/N.  Returns a scalar Tensor (with a backward).
    """
    if saturating:
        return -_bce_with_constant_target(fake_logits, 0.0)
    return _bce_with_constant_target(fake_logits, 1.0)
