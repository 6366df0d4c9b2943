"""Random changes to training images, in the tf.data pipeline (not part of the exported model).

Light augmentation (shift, rotation, zoom, slant, stroke thickness) so that digits drawn with a
mouse, then prepared the MNIST way (fit to 20×20, centred by centre of mass), are recognised.
TensorFlow is imported by each function when it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.training.contract import IMAGE_SIZE

if TYPE_CHECKING:
    import tensorflow as tf


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random changes applied to each training image (uniform in ±range)."""

    max_rotation_degrees: float = 12.0
    max_shear: float = 0.15  # slant: x += shear * y (0.15 ≈ 8.5°)
    max_zoom: float = 0.10
    max_shift_pixels: float = 2.5
    max_thicker: float = 0.8  # blend towards a dilation (1 = one pixel thicker all round)
    max_thinner: float = 0.5  # blend towards an erosion

    def describe(self) -> str:
        """One line for the model card."""
        return (
            f"random rotation ±{self.max_rotation_degrees:g}°, slant (shear) ±{self.max_shear:g}, "
            f"zoom ±{self.max_zoom:.0%}, shift ±{self.max_shift_pixels:g} px, stroke thickness "
            f"(blend towards a 3×3-cross dilation up to {self.max_thicker:g} or erosion up to "
            f"{self.max_thinner:g}); applied per image in the tf.data pipeline, not in the model"
        )


AUGMENTATION = Augmentation()


def neighbourhood_max(images: tf.Tensor) -> tf.Tensor:
    """Grey-level dilation of (B, 28, 28, 1) images by a 3×3 cross (centre and 4 neighbours)."""
    import tensorflow as tf

    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
    shifted = [
        padded[:, 1:-1, 1:-1],
        padded[:, :-2, 1:-1],
        padded[:, 2:, 1:-1],
        padded[:, 1:-1, :-2],
        padded[:, 1:-1, 2:],
    ]
    return tf.reduce_max(tf.stack(shifted), axis=0)


def change_thickness(images: tf.Tensor, amount: tf.Tensor) -> tf.Tensor:
    """Thicken (amount > 0) or thin (amount < 0) the strokes; amount (B,) in about -1..1."""
    import tensorflow as tf

    weight = tf.reshape(amount, [-1, 1, 1, 1])
    thicker = neighbourhood_max(images)
    thinner = -neighbourhood_max(-images)
    target = tf.where(weight > 0, thicker, thinner)
    return images + tf.abs(weight) * (target - images)


def affine_transforms(
    angle: tf.Tensor, shear: tf.Tensor, zoom: tf.Tensor, shift_x: tf.Tensor, shift_y: tf.Tensor
) -> tf.Tensor:
    """(B, 8) projective transforms that map output pixels to input pixels.

    The forward map turns the image about its centre c by zoom·R(angle)·Shear(shear) and then
    moves it by (shift_x, shift_y); ImageProjectiveTransform wants its inverse,
    p_in = c + M⁻¹ (p_out − c − t), with M⁻¹ = Shear(−shear)·R(−angle) / zoom.
    """
    import tensorflow as tf

    centre = (IMAGE_SIZE - 1) / 2
    cos, sin = tf.cos(angle), tf.sin(angle)
    a0 = (cos + shear * sin) / zoom
    a1 = (sin - shear * cos) / zoom
    b0 = -sin / zoom
    b1 = cos / zoom
    a2 = centre - a0 * (centre + shift_x) - a1 * (centre + shift_y)
    b2 = centre - b0 * (centre + shift_x) - b1 * (centre + shift_y)
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(images: tf.Tensor, seed: tf.Tensor, config: Augmentation) -> tf.Tensor:
    """Randomly thicken/thin, rotate, slant, zoom and shift a (B, 28, 28, 1) float batch.

    Stateless random numbers from `seed` (shape (2,)), so the result does not depend on how
    tf.data schedules its parallel calls.
    """
    import tensorflow as tf

    count = tf.shape(images)[0]
    seeds = tf.random.experimental.stateless_split(seed, num=6)

    def uniform(index: int, low: float, high: float) -> tf.Tensor:
        return tf.random.stateless_uniform([count], seeds[index], low, high)

    rotation = math.radians(config.max_rotation_degrees)
    thickness = uniform(0, -config.max_thinner, config.max_thicker)
    transforms = affine_transforms(
        angle=uniform(1, -rotation, rotation),
        shear=uniform(2, -config.max_shear, config.max_shear),
        zoom=1.0 + uniform(3, -config.max_zoom, config.max_zoom),
        shift_x=uniform(4, -config.max_shift_pixels, config.max_shift_pixels),
        shift_y=uniform(5, -config.max_shift_pixels, config.max_shift_pixels),
    )
    thick_or_thin = change_thickness(images, thickness)
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=thick_or_thin,
        transforms=transforms,
        output_shape=[IMAGE_SIZE, IMAGE_SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    return tf.clip_by_value(moved, 0.0, 1.0)
