"""Training: the tf.data input pipeline and Keras's model.fit, with progress events.

TensorFlow and Keras are imported by the functions that need them, when they run.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TYPE_CHECKING, Any

from models.training.augmentation import AUGMENTATION, augment_batch
from models.training.progress import BatchEnd, EpochEnd

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from models.training.architectures import Architecture
    from models.training.data import MnistData
    from models.training.progress import TrainingProgress
    from models.training.settings import TrainingSettings

LEARNING_RATE_FLOOR = 0.01  # the cosine decay ends at 1% of the initial learning rate


def steps_per_epoch(train_images: int, batch_size: int) -> int:
    """Training steps (batches) per epoch: ceil(train_images / batch_size)."""
    return math.ceil(train_images / batch_size)


def training_dataset(data: MnistData, training: TrainingSettings) -> tf.data.Dataset:
    """Shuffled (and augmented) batches for all epochs, reproducible from `training.seed`.

    Yields (images (B, 28, 28, 1) float32 0..1, labels (B,) int64).
    """
    import tensorflow as tf

    seed = training.seed
    dataset = tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train))
    dataset = dataset.shuffle(len(data.x_train), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(training.batch_size).repeat(training.epochs).enumerate()

    def prepare(
        index: tf.Tensor, batch: tuple[tf.Tensor, tf.Tensor]
    ) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = batch
        images = tf.cast(images[..., tf.newaxis], tf.float32) / 255.0
        if training.augment:
            images = augment_batch(images, tf.stack([tf.cast(seed, tf.int64), index]), AUGMENTATION)
        return images, labels

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def progress_callback(
    progress: TrainingProgress, epochs: int, batches: int
) -> keras.callbacks.Callback:
    """A Keras callback that turns fit's batch and epoch ends into `progress` events."""
    import keras

    started = time.perf_counter()
    epoch_now = 1  # fit's batch hooks get the batch index only

    def logged(logs: dict[str, Any] | None, key: str) -> float:
        return float((logs or {}).get(key, math.nan))

    def epoch_begin(epoch: int, logs: dict[str, Any] | None = None) -> None:
        nonlocal epoch_now
        epoch_now = epoch + 1

    def batch_end(batch: int, logs: dict[str, Any] | None = None) -> None:
        progress.on_batch(
            BatchEnd(
                epoch=epoch_now,
                epochs=epochs,
                batch=batch + 1,
                batches=batches,
                loss=logged(logs, "loss"),
                accuracy=logged(logs, "accuracy"),
            )
        )

    def epoch_end(epoch: int, logs: dict[str, Any] | None = None) -> None:
        progress.on_epoch(
            EpochEnd(
                epoch=epoch + 1,
                epochs=epochs,
                loss=logged(logs, "loss"),
                accuracy=logged(logs, "accuracy"),
                seconds=time.perf_counter() - started,
            )
        )

    return keras.callbacks.LambdaCallback(
        on_epoch_begin=epoch_begin, on_train_batch_end=batch_end, on_epoch_end=epoch_end
    )


def train_model(
    architecture: Architecture,
    data: MnistData,
    training: TrainingSettings,
    *,
    progress: TrainingProgress,
    keras_log: bool = False,
) -> tuple[keras.Model, float]:
    """Build, compile and fit the model; returns it and the training time in seconds.

    Adam with a cosine decay of the learning rate to 1% of `training.learning_rate`, sparse
    categorical cross-entropy. `keras_log`: Keras prints its own progress (a bar on a terminal,
    a line per epoch otherwise).
    """
    import keras

    model = architecture.build()
    steps = steps_per_epoch(len(data.x_train), training.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        training.learning_rate, decay_steps=steps * training.epochs, alpha=LEARNING_RATE_FLOOR
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    dataset = training_dataset(data, training)
    verbose = (1 if sys.stdout.isatty() else 2) if keras_log else 0
    started = time.perf_counter()
    model.fit(
        dataset,
        epochs=training.epochs,
        steps_per_epoch=steps,
        shuffle=False,  # the dataset is shuffled (reproducibly) by training_dataset
        verbose=verbose,
        callbacks=[progress_callback(progress, training.epochs, steps)],
    )
    return model, time.perf_counter() - started
