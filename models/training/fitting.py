"""Training: the tf.data input pipeline, the optimizer and its schedule, and Keras's model.fit.

A `FitReporter` turns fit's batch and epoch ends into progress events and stops the run after
the current step when asked. TensorFlow and Keras are imported by the functions that need
them, when they run.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models.training.augmentation import AUGMENTATION, augment_batch
from models.training.keras_models import build_model, first_layer_weights
from models.training.progress import BatchEnd, EpochEnd

if TYPE_CHECKING:
    import threading

    import keras
    import tensorflow as tf

    from models.training.architectures import Architecture
    from models.training.data import MnistData
    from models.training.progress import TrainingProgress
    from models.training.settings import TrainingSettings
    from models.training.snapshots import EpochSnapshots

LEARNING_RATE_FLOOR = 0.01  # the cosine decay ends at 1% of the initial learning rate
EXPONENTIAL_DECAY = 0.6  # slide 004: lr_decay(epoch) = 0.01 * math.pow(0.6, epoch)


def steps_per_epoch(train_images: int, batch_size: int) -> int:
    """Training steps (batches) per epoch: ceil(train_images / batch_size)."""
    return math.ceil(train_images / batch_size)


def exponential_rate(initial: float, epoch: int) -> float:
    """The learning rate of `epoch` (0-based) under slide 004's decay: initial · 0.6^epoch."""
    return initial * math.pow(EXPONENTIAL_DECAY, epoch)


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


def make_optimizer(training: TrainingSettings, steps: int) -> keras.optimizers.Optimizer:
    """Adam or SGD at `training.learning_rate`; with the cosine decay, a per-step schedule.

    Cosine: from the rate down to 1 % of it over all steps (Keras's CosineDecay). The
    exponential decay is a callback (`learning_rate_callbacks`), as on slide 004.
    """
    import keras

    rate: float | keras.optimizers.schedules.LearningRateSchedule = training.learning_rate
    if training.lr_decay == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(
            training.learning_rate, decay_steps=steps * training.epochs, alpha=LEARNING_RATE_FLOOR
        )
    if training.optimizer == "sgd":
        return keras.optimizers.SGD(rate)
    return keras.optimizers.Adam(rate)


def learning_rate_callbacks(training: TrainingSettings) -> list[keras.callbacks.Callback]:
    """Slide 004's LearningRateScheduler for the exponential decay; none otherwise."""
    import keras

    if training.lr_decay != "exponential":
        return []
    initial = training.learning_rate
    return [keras.callbacks.LearningRateScheduler(lambda epoch: exponential_rate(initial, epoch))]


def current_learning_rate(model: keras.Model) -> float:
    """The optimizer's learning rate now (a schedule's value at the current step)."""
    return float(model.optimizer.learning_rate)


@dataclass
class FitWindow:
    """Running sums at the previous batch event of the epoch (to report the steps since)."""

    images: int = 0
    loss_sum: float = 0.0
    correct: float = 0.0


class FitReporter:
    """Turns model.fit's batch and epoch ends into progress events; stops when asked.

    Keras's logs hold running means over the epoch (weighted by images); the events report
    the mean over the images since the previous event, recovered from two running means:
    (m_k · n_k − m_j · n_j) / (n_k − n_j).
    """

    def __init__(
        self,
        model: keras.Model,
        architecture: Architecture,
        training: TrainingSettings,
        train_images: int,
        progress: TrainingProgress,
        *,
        batch_interval: int = 1,
        stop: threading.Event | None = None,
        snapshots: EpochSnapshots | None = None,
    ) -> None:
        self.model = model
        self.architecture = architecture
        self.training = training
        self.train_images = train_images
        self.batches = steps_per_epoch(train_images, training.batch_size)
        self.progress = progress
        self.batch_interval = batch_interval
        self.stop = stop
        self.snapshots = snapshots
        self.started = time.perf_counter()
        self.epoch = 1
        self.window = FitWindow()
        self.batches_done = 0
        self.epochs_done = 0
        self.stopped = False

    def seconds(self) -> float:
        """Seconds since training started."""
        return time.perf_counter() - self.started

    def images_in_epoch(self, batches: int) -> int:
        """Training images of the first `batches` steps of an epoch."""
        return min(batches * self.training.batch_size, self.train_images)

    def images_seen(self, batches: int) -> int:
        """Training images since training started, `batches` steps into the current epoch."""
        return (self.epoch - 1) * self.train_images + self.images_in_epoch(batches)

    def train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Training starts: the clock starts."""
        self.started = time.perf_counter()

    def epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """An epoch starts (Keras counts from 0)."""
        self.epoch = epoch + 1
        self.window = FitWindow()
        self.batches_done = 0

    def batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """A step is done: stop if asked; report every `batch_interval` steps."""
        number = batch + 1
        self.batches_done = number
        stopping = self.stop is not None and self.stop.is_set()
        if stopping:
            self.model.stop_training = True
            self.stopped = number < self.batches or self.epoch < self.training.epochs
        due = number == 1 or number % self.batch_interval == 0 or number == self.batches
        if not (due or stopping):
            return
        images = self.images_in_epoch(number)
        loss_mean = float((logs or {}).get("loss", math.nan))
        accuracy_mean = float((logs or {}).get("accuracy", math.nan))
        now = FitWindow(images, loss_mean * images, accuracy_mean * images)
        new_images = max(now.images - self.window.images, 1)
        self.progress.on_batch(
            BatchEnd(
                epoch=self.epoch,
                epochs=self.training.epochs,
                batch=number,
                batches=self.batches,
                loss=(now.loss_sum - self.window.loss_sum) / new_images,
                accuracy=(now.correct - self.window.correct) / new_images,
                learning_rate=current_learning_rate(self.model),
                images_seen=self.images_seen(number),
                seconds=self.seconds(),
            )
        )
        self.window = now

    def epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """An epoch is done (or stopped): its snapshot, then its event."""
        complete = self.batches_done == self.batches
        if complete:
            self.epochs_done = self.epoch
        snapshot = validation = None
        if self.snapshots is not None:
            if self.snapshots.needs_untrained:
                self.report_untrained()
            snapshot, validation = self.snapshots.save(self.model, self.epoch, complete)
        self.progress.on_epoch(
            EpochEnd(
                epoch=self.epoch,
                epochs=self.training.epochs,
                loss=float((logs or {}).get("loss", math.nan)),
                accuracy=float((logs or {}).get("accuracy", math.nan)),
                seconds=self.seconds(),
                learning_rate=current_learning_rate(self.model),
                images_seen=self.images_seen(self.batches_done),
                batches_done=self.batches_done,
                complete=complete,
                validation=validation,
                weights=first_layer_weights(self.model, self.architecture),
                snapshot=snapshot,
            )
        )

    def report_untrained(self) -> None:
        """Epoch 0: the untrained network's snapshot and event (sent just before epoch 1's)."""
        assert self.snapshots is not None
        snapshot, validation, weights = self.snapshots.save_untrained(self.model, self.architecture)
        self.progress.on_epoch(
            EpochEnd(
                epoch=0,
                epochs=self.training.epochs,
                loss=None,
                accuracy=None,
                seconds=self.seconds(),
                images_seen=0,
                validation=validation,
                weights=weights,
                snapshot=snapshot,
            )
        )

    def callback(self) -> keras.callbacks.Callback:
        """The Keras callback that calls this reporter."""
        import keras

        return keras.callbacks.LambdaCallback(
            on_train_begin=self.train_begin,
            on_epoch_begin=self.epoch_begin,
            on_train_batch_end=self.batch_end,
            on_epoch_end=self.epoch_end,
        )


@dataclass(frozen=True)
class FitOutcome:
    """What model.fit gave.

    Attributes:
        model: the trained Keras model (its last weights, also when stopped).
        seconds: seconds in model.fit (with the epochs' snapshots).
        stopped: True if the run was stopped before its last epoch ended.
        epochs_done: complete epochs.
    """

    model: keras.Model
    seconds: float
    stopped: bool
    epochs_done: int


def train_model(
    architecture: Architecture,
    data: MnistData,
    training: TrainingSettings,
    *,
    progress: TrainingProgress,
    keras_log: bool = False,
    batch_interval: int = 1,
    stop: threading.Event | None = None,
    snapshots: EpochSnapshots | None = None,
) -> FitOutcome:
    """Build, compile and fit the model.

    Sparse categorical cross-entropy; the optimizer and learning-rate decay of `training`.
    `keras_log`: Keras prints its own progress (a bar on a terminal, a line per epoch
    otherwise). `stop`: once set, training stops after the current step. `snapshots`: save
    and measure a snapshot after every epoch (and epoch 0).
    """
    model = build_model(architecture, training.dropout)
    steps = steps_per_epoch(len(data.x_train), training.batch_size)
    model.compile(
        optimizer=make_optimizer(training, steps),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    if snapshots is not None:
        snapshots.keep_untrained(model)
    reporter = FitReporter(
        model,
        architecture,
        training,
        len(data.x_train),
        progress,
        batch_interval=batch_interval,
        stop=stop,
        snapshots=snapshots,
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
        callbacks=[*learning_rate_callbacks(training), reporter.callback()],
    )
    return FitOutcome(model, time.perf_counter() - started, reporter.stopped, reporter.epochs_done)
