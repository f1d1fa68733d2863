"""Tests of nn_from_scratch.models (GAN, VAE, classifier) and nn_from_scratch.metrics.

The tests that run a model take the ``backend`` fixture (first, so that the
``images`` fixture is created on it): NumPy, and CuPy where a CUDA device exists.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import to_host

import nn_from_scratch as nf
from nn_from_scratch import functional as F
from nn_from_scratch import metrics
from nn_from_scratch.models import (
    VAE,
    Classifier,
    Discriminator,
    Generator,
    discriminator_loss,
    generator_loss,
    one_hot,
    standard_normal,
    vae_loss,
)
from nn_from_scratch.training.generation import reconstruction_images, slerp

BATCH = 4


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def images(rng):
    return nf.Tensor(rng.random((BATCH, 1, 28, 28), dtype=np.float32))


LABELS = np.array([0, 3, 9, 3])


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("num_classes", [0, 10])
def test_generator_shapes(backend, rng, num_classes):
    generator = Generator(latent_dim=16, num_classes=num_classes)
    labels = LABELS if num_classes else None
    noise = standard_normal(rng, (BATCH, 16))
    logits = generator(noise, labels)
    assert logits.shape == (BATCH, 1, 28, 28) and logits.dtype == np.float32
    samples = generator.sample(noise, labels).numpy()
    assert samples.shape == (BATCH, 1, 28, 28)
    assert samples.min() >= 0 and samples.max() <= 1


@pytest.mark.parametrize("num_classes", [0, 10])
def test_upsample_generator_shapes(backend, rng, num_classes):
    generator = Generator(latent_dim=16, num_classes=num_classes, architecture="upsample")
    assert [type(layer).__name__ for layer in generator.upsample][:2] == ["Upsample", "Conv2d"]
    assert generator.project[0].weight.shape == (256 * 7 * 7, 16 + num_classes)
    labels = LABELS if num_classes else None
    logits = generator(standard_normal(rng, (BATCH, 16)), labels)
    assert logits.shape == (BATCH, 1, 28, 28) and logits.dtype == np.float32


@pytest.mark.parametrize("num_classes", [0, 10])
def test_radford_generator_shapes(backend, rng, num_classes):
    """Radford et al.'s MNIST generator: Linear to 1024, Linear to 128x7x7, two 5x5 ConvTranspose2d."""
    generator = Generator(latent_dim=16, num_classes=num_classes, architecture="radford")
    assert generator.project[0].weight.shape == (1024, 16 + num_classes)
    assert generator.project[3].weight.shape == (128 * 7 * 7, 1024)
    first, last = generator.upsample[0], generator.upsample[3]
    assert first.weight.shape == (128, 64, 5, 5) and last.weight.shape == (64, 1, 5, 5)
    assert first.stride == first.padding == (2, 2) and first.output_padding == (1, 1)
    labels = LABELS if num_classes else None
    logits = generator(standard_normal(rng, (BATCH, 16)), labels)
    assert logits.shape == (BATCH, 1, 28, 28) and logits.dtype == np.float32


def test_generator_architecture_is_checked():
    with pytest.raises(ValueError, match=r"architecture must be one of \('dcgan', 'upsample', 'radford'\), "
                                         r"got 'unet'"):
        Generator(architecture="unet")


@pytest.mark.parametrize("kernel_size", [4, 5])
@pytest.mark.parametrize("num_classes", [0, 10])
def test_discriminator_shapes(backend, images, num_classes, kernel_size):
    discriminator = Discriminator(num_classes=num_classes, kernel_size=kernel_size)
    logits = discriminator(images, LABELS if num_classes else None)
    assert logits.shape == (BATCH, 1) and logits.dtype == np.float32
    k = kernel_size
    assert discriminator.features[0].weight.shape == (64, 1 + num_classes, k, k)
    assert discriminator.features[2].weight.shape == (128, 64, k, k)
    assert discriminator.features[0].padding == discriminator.features[2].padding == ((k - 1) // 2,) * 2
    assert discriminator.classify.weight.shape == (1, 128 * 7 * 7 + num_classes)      # 7x7 maps either way


def test_discriminator_kernel_size_is_checked():
    with pytest.raises(ValueError, match=r"kernel_size must be one of \(4, 5\), got 3"):
        Discriminator(kernel_size=3)
    with pytest.raises(ValueError, match=r"kernel_size must be one of \(4, 5\), got 5.0"):
        Discriminator(kernel_size=5.0)


@pytest.mark.parametrize("num_classes", [0, 10])
def test_discriminator_hidden_layer(backend, images, num_classes):
    """hidden=H puts Linear(128*7*7 + C, H) -> BatchNorm1d -> LeakyReLU between the features and the logit."""
    discriminator = Discriminator(num_classes=num_classes, kernel_size=5, hidden=32)
    assert [type(layer).__name__ for layer in discriminator.hidden] == ["Linear", "BatchNorm1d", "LeakyReLU"]
    assert discriminator.hidden[0].weight.shape == (32, 128 * 7 * 7 + num_classes)
    assert discriminator.classify.weight.shape == (1, 32)
    logits = discriminator(images, LABELS if num_classes else None)
    assert logits.shape == (BATCH, 1) and logits.dtype == np.float32
    assert "hidden.0.weight" not in Discriminator(num_classes=num_classes).state_dict()   # hidden=0: no layer
    with pytest.raises(ValueError, match=r"hidden must be an int >= 0 \(0: no hidden layer\), got -1"):
        Discriminator(hidden=-1)


@pytest.mark.parametrize("num_classes", [0, 10])
def test_vae_shapes(backend, rng, images, num_classes):
    vae = VAE(latent_dim=8, num_classes=num_classes)
    labels = LABELS if num_classes else None
    logits, mu, logvar = vae(images, standard_normal(rng, (BATCH, 8)), labels)
    assert logits.shape == (BATCH, 1, 28, 28)
    assert mu.shape == logvar.shape == (BATCH, 8)
    assert vae.sample(standard_normal(rng, (BATCH, 8)), labels).shape == (BATCH, 1, 28, 28)
    assert vae.reconstruct(images, labels).shape == (BATCH, 1, 28, 28)


def test_classifier_shapes(backend, images):
    classifier = Classifier()
    assert classifier.features(images).shape == (BATCH, 128)
    assert classifier(images).shape == (BATCH, 10)


def test_label_checks(rng, images):
    with pytest.raises(ValueError, match="num_classes=10"):
        Generator(8, num_classes=10)(standard_normal(rng, (BATCH, 8)))
    with pytest.raises(ValueError, match="unconditional"):
        Discriminator()(images, LABELS)
    with pytest.raises(ValueError, match="shape"):
        VAE(8, num_classes=10).encode(images, LABELS[:2])
    with pytest.raises(ValueError, match="noise of shape"):
        Generator(8)(standard_normal(rng, (BATCH, 9)))


def test_one_hot(backend, images):
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3, like=images[:2]).numpy(),
                                  [[0, 0, 1], [1, 0, 0]])


def test_conditioning_changes_the_output(backend, rng):
    generator = Generator(latent_dim=8, num_classes=10).eval()
    noise = standard_normal(rng, (2, 8))
    with nf.no_grad():
        zeros = generator(noise, np.array([0, 0])).numpy()
        sevens = generator(noise, np.array([7, 7])).numpy()
    assert not np.allclose(zeros, sevens)


def test_dcgan_initialisation(backend):
    generator = Generator()
    weight = generator.upsample[0].weight.numpy()
    assert abs(weight.std() - 0.02) < 0.002 and abs(weight.mean()) < 0.002
    np.testing.assert_array_equal(generator.upsample[3].bias.numpy(), 0)
    assert generator.upsample[0].bias is None                 # followed by BatchNorm: no bias
    assert abs(generator.project[1].weight.numpy().mean() - 1) < 0.002


@pytest.mark.parametrize("build", [lambda: Generator(8, 10), lambda: Discriminator(10),
                                   lambda: Discriminator(10, kernel_size=5), lambda: VAE(4, 10), Classifier,
                                   lambda: Generator(8, 10, "radford"), lambda: Discriminator(10, 5, hidden=16)],
                         ids=["generator", "discriminator", "discriminator-k5", "vae", "classifier",
                              "generator-radford", "discriminator-hidden"])
def test_every_parameter_gets_a_gradient(backend, rng, images, build):
    model = build()
    if isinstance(model, Generator):
        output = model(standard_normal(rng, (BATCH, 8)), LABELS)
    elif isinstance(model, VAE):
        output = model(images, standard_normal(rng, (BATCH, 4)), LABELS)[0]
    elif isinstance(model, Discriminator):
        output = model(images, LABELS)
    else:
        output = model(images)
    (output * output).mean().backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and np.abs(to_host(parameter.grad)).sum() > 0, name


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------


def test_gan_losses_at_chance(backend):
    zeros = nf.Tensor(np.zeros((BATCH, 1), dtype=np.float32))
    assert discriminator_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2), rel=1e-6)
    assert generator_loss(zeros).item() == pytest.approx(math.log(2), rel=1e-6)


def test_generator_loss_is_non_saturating(backend):
    """-log D(G(z)) still has a large gradient when D confidently rejects the fakes (logit -10)."""
    logits = nf.Tensor(np.full((2, 1), -10.0, dtype=np.float32), requires_grad=True)
    generator_loss(logits).backward()
    saturating = nf.Tensor(np.full((2, 1), -10.0, dtype=np.float32), requires_grad=True)
    (-F.binary_cross_entropy_with_logits(saturating, nf.Tensor(np.zeros((2, 1), np.float32)))).backward()
    assert np.abs(to_host(logits.grad)).mean() > 1000 * np.abs(to_host(saturating.grad)).mean()


def test_vae_loss_matches_formula(backend, rng):
    logits = rng.normal(size=(3, 1, 28, 28)).astype(np.float32)
    x = rng.random((3, 1, 28, 28)).astype(np.float32)
    mu, logvar = rng.normal(size=(3, 5)).astype(np.float32), rng.normal(size=(3, 5)).astype(np.float32)
    loss, reconstruction, kl = vae_loss(nf.Tensor(logits), nf.Tensor(x), nf.Tensor(mu), nf.Tensor(logvar))
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected_bce = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum() / 3
    expected_kl = 0.5 * (np.exp(logvar) + mu ** 2 - 1 - logvar).sum() / 3
    assert reconstruction.item() == pytest.approx(expected_bce, rel=1e-5)
    assert kl.item() == pytest.approx(expected_kl, rel=1e-5)
    assert loss.item() == pytest.approx(expected_bce + expected_kl, rel=1e-5)


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


def test_fid_of_identical_sets_is_zero(rng):
    features = rng.normal(size=(500, 16))
    assert metrics.fid(features, features) == pytest.approx(0.0, abs=1e-6)


def test_fid_grows_with_a_mean_shift(rng):
    a, b = rng.normal(size=(2, 1000, 8))
    distances = [metrics.fid(a, b + shift) for shift in (0.0, 0.5, 1.0, 2.0)]
    assert distances == sorted(distances)
    # A shift of s in each of the 8 dimensions adds about 8 s^2.
    assert distances[3] - distances[0] == pytest.approx(8 * 4, rel=0.1)


def test_frechet_distance_of_diagonal_gaussians():
    """For diagonal covariances the trace term is sum (sqrt(a_i) - sqrt(b_i))^2."""
    variances_a, variances_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    distance = metrics.frechet_distance(np.zeros(3), np.diag(variances_a), np.ones(3), np.diag(variances_b))
    expected = 3 + np.sum((np.sqrt(variances_a) - np.sqrt(variances_b)) ** 2)
    assert distance == pytest.approx(expected, rel=1e-9)


def test_fid_with_floor(rng):
    real = rng.normal(size=(400, 4))
    result = metrics.fid_with_floor(rng.normal(size=(200, 4)) + 3, real)
    assert result["num_images"] == 200
    assert result["fid_floor"] < 0.5 < 30 < result["fid"]


def test_inception_score_extremes():
    confident_and_balanced = np.tile(np.eye(10), (20, 1))          # one-hot, every class equally often
    mean, std = metrics.inception_score(confident_and_balanced, splits=10)
    assert mean == pytest.approx(10.0) and std == pytest.approx(0.0, abs=1e-9)
    assert metrics.inception_score(np.full((100, 10), 0.1))[0] == pytest.approx(1.0)
    assert metrics.inception_score(np.tile(np.eye(10)[:1], (100, 1)))[0] == pytest.approx(1.0)


def test_log_mean_exp_is_stable():
    values = np.array([[1000.0, 1000.0], [-1000.0, -1000.0 + math.log(3)]])
    np.testing.assert_allclose(metrics.log_mean_exp(values, axis=1), [1000.0, -1000.0 + math.log(2)])


def test_iwae_bound_is_tighter_than_the_elbo(backend, rng):
    vae = VAE(latent_dim=4)
    images = rng.random((24, 1, 28, 28)).astype(np.float32)
    elbo = metrics.vae_negative_elbo(vae, images, rng=np.random.default_rng(1))
    iwae = metrics.importance_weighted_nll(vae, images, k=50, rng=np.random.default_rng(2), batch_size=400)
    assert np.isfinite(iwae) and iwae <= elbo
    errors = metrics.reconstruction_error(vae, images)
    assert errors["bce"] > 0 and 0 < errors["mse"] < 1


def test_classifier_outputs(backend, rng):
    features, probs = metrics.classifier_outputs(Classifier(), rng.random((7, 1, 28, 28)), batch_size=3)
    assert features.shape == (7, 128) and probs.shape == (7, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


# --------------------------------------------------------------------------
# Generation helpers
# --------------------------------------------------------------------------


def test_slerp_end_points_and_norm(rng):
    a, b = rng.normal(size=(2, 64))
    path = slerp(a, b, np.linspace(0, 1, 5))
    np.testing.assert_allclose(path[0], a, rtol=1e-5)
    np.testing.assert_allclose(path[-1], b, rtol=1e-5)
    assert path.shape == (5, 64)


def test_reconstruction_rows_alternate(backend, rng):
    images = rng.random((16, 1, 28, 28)).astype(np.float32)
    grid = reconstruction_images(VAE(latent_dim=4).eval(), images, per_row=8)
    assert grid.shape == (32, 1, 28, 28)
    np.testing.assert_array_equal(grid[:8], images[:8])
    np.testing.assert_array_equal(grid[16:24], images[8:])
