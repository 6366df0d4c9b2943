"""The vector lessons' step kinds against independent computations, on random data.

Each kind (flatten, dense, softmax, cross-entropy, the one-layer update; a network's shapes)
is checked twice: against a NumPy reference written here from the textbook formula with
loops (no code shared with ``engine.animation.vector_steps``), and against Keras's own layers
and losses (``Flatten``, ``Dense``, ``softmax``, ``categorical_crossentropy``, a
``GradientTape`` and ``SGD``, ``model.summary``'s shapes and counts). Keras is in the dev
extra (through ``train``), so these tests run in CI; it is imported inside each test only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.animation.layer_shapes import ShapeLayer, layer_shapes
from engine.animation.vector_setup import VectorSpec, run_vector
from engine.animation.vector_steps import (
    cross_entropy_of_logits,
    cross_entropy_terms,
    dense,
    flatten,
    flatten_index,
    flatten_steps,
    one_hot,
    one_layer_step,
    softmax,
    softmax_parts,
)

SEEDS = range(5)


def random_maps(rng: np.random.Generator) -> np.ndarray:
    h, w, c = (int(n) for n in rng.integers(1, 7, size=3))
    return rng.normal(size=(h, w, c))


def reference_flatten(maps: np.ndarray) -> np.ndarray:
    """Row by row, column by column, channel by channel: channels-last order, by loops."""
    out = []
    for r in range(maps.shape[0]):
        for c in range(maps.shape[1]):
            for ch in range(maps.shape[2]):
                out.append(maps[r, c, ch])
    return np.array(out)


def reference_dense(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([sum(x[i] * w[i, k] for i in range(x.size)) + b[k] for k in range(w.shape[1])])


def reference_softmax(z: np.ndarray) -> np.ndarray:
    exps = [math.exp(v) for v in z]
    total = math.fsum(exps)
    return np.array([e / total for e in exps])


@pytest.mark.parametrize("seed", SEEDS)
def test_flatten_matches_loops_and_every_index(seed: int) -> None:
    maps = random_maps(np.random.default_rng(seed))
    x = flatten(maps)
    np.testing.assert_array_equal(x, reference_flatten(maps))
    shape = maps.shape
    for r in range(shape[0]):
        for c in range(shape[1]):
            for ch in range(shape[2]):
                assert x[flatten_index(r, c, ch, shape)] == maps[r, c, ch]
    steps = flatten_steps(maps)  # every cell moved once, in the vector's order
    indices = [i for step in steps for i in step.indices]
    assert indices == list(range(maps.size))
    np.testing.assert_array_equal(np.concatenate([s.values for s in steps]), x)


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_softmax_cross_entropy_match_loops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 40)), int(rng.integers(2, 12))
    x, w, b = rng.normal(size=n), rng.normal(size=(n, k)), rng.normal(size=k)
    z = dense(x, w, b)
    np.testing.assert_allclose(z, reference_dense(x, w, b), rtol=1e-12, atol=1e-12)
    parts = softmax_parts(z)
    expected = reference_softmax(z)
    np.testing.assert_allclose(parts.probabilities, expected, rtol=1e-12)
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12)
    np.testing.assert_allclose(parts.exps, [math.exp(v) for v in z], rtol=1e-12)
    assert parts.total == pytest.approx(math.fsum(math.exp(v) for v in z), rel=1e-12)
    label = int(rng.integers(0, k))
    y = one_hot(label, k)
    assert y.sum() == 1 and y[label] == 1
    loss = -float(cross_entropy_terms(y, expected).sum())
    assert loss == pytest.approx(-math.log(expected[label]), rel=1e-12)
    assert cross_entropy_of_logits(z, label) == pytest.approx(loss, rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_layer_step_matches_numeric_gradients(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 12)), int(rng.integers(2, 6))
    x, w, b = rng.normal(size=n), rng.normal(size=(n, k)), rng.normal(size=k)
    label, rate = int(rng.integers(0, k)), float(rng.uniform(0.01, 1))
    y = one_hot(label, k)

    def loss(w_: np.ndarray, b_: np.ndarray) -> float:
        return -math.log(reference_softmax(reference_dense(x, w_, b_))[label])

    step = one_layer_step(x, w, b, reference_softmax(reference_dense(x, w, b)), y, rate)
    eps = 1e-6  # central differences, one weight at a time
    numeric_w = np.zeros_like(w)
    for i in range(n):
        for j in range(k):
            plus, minus = w.copy(), w.copy()
            plus[i, j] += eps
            minus[i, j] -= eps
            numeric_w[i, j] = (loss(plus, b) - loss(minus, b)) / (2 * eps)
    numeric_b = np.zeros(k)
    for j in range(k):
        plus, minus = b.copy(), b.copy()
        plus[j] += eps
        minus[j] -= eps
        numeric_b[j] = (loss(w, plus) - loss(w, minus)) / (2 * eps)
    np.testing.assert_allclose(step.gradient_w, numeric_w, atol=1e-7)
    np.testing.assert_allclose(step.gradient_z, numeric_b, atol=1e-7)
    np.testing.assert_allclose(step.weights_next, w - rate * numeric_w, atol=1e-7)
    np.testing.assert_allclose(step.bias_next, b - rate * numeric_b, atol=1e-7)
    assert step.loss_next == pytest.approx(loss(step.weights_next, step.bias_next), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_whole_chain_matches_keras(seed: int) -> None:
    import keras

    rng = np.random.default_rng(seed)
    maps = random_maps(rng)
    k = int(rng.integers(2, 11))
    w, b = rng.normal(size=(maps.size, k)) * 0.3, rng.normal(size=k) * 0.3
    label = int(rng.integers(0, k))
    spec = VectorSpec(
        steps=("flatten", "dense", "softmax", "cross-entropy"),
        maps=maps, weights=w, bias=b, label=label,
    ).checked()  # fmt: skip
    result = run_vector(spec)

    flat = keras.layers.Flatten(dtype="float64")(maps[np.newaxis])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(flat)[0], result.x, rtol=1e-12)
    layer = keras.layers.Dense(k, dtype="float64")
    layer.build((None, maps.size))
    layer.set_weights([w, b])
    z = keras.ops.convert_to_numpy(layer(result.x[np.newaxis]))[0]
    np.testing.assert_allclose(result.logits, z, rtol=1e-10, atol=1e-12)
    y_hat = keras.ops.convert_to_numpy(keras.activations.softmax(z[np.newaxis]))[0]
    np.testing.assert_allclose(result.probabilities, y_hat, rtol=1e-10)
    loss = keras.losses.categorical_crossentropy(one_hot(label, k)[np.newaxis], y_hat[np.newaxis])
    assert result.loss == pytest.approx(float(keras.ops.convert_to_numpy(loss)[0]), rel=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_update_matches_a_keras_sgd_step(seed: int) -> None:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 30)), int(rng.integers(2, 11))
    x, w, b = rng.normal(size=n), rng.normal(size=(n, k)) * 0.3, rng.normal(size=k) * 0.3
    label, rate = int(rng.integers(0, k)), float(rng.uniform(0.001, 1))
    spec = VectorSpec(
        steps=("dense", "softmax", "cross-entropy", "update"),
        values=x, weights=w, bias=b, label=label, learning_rate=rate,
    ).checked()  # fmt: skip
    step = run_vector(spec).update
    assert step is not None

    layer = keras.layers.Dense(k, activation="softmax", dtype="float64")
    layer.build((None, n))
    layer.set_weights([w, b])
    target = one_hot(label, k)[np.newaxis]
    with tf.GradientTape() as tape:
        loss = keras.losses.categorical_crossentropy(target, layer(x[np.newaxis]))
    grads = tape.gradient(loss, layer.trainable_variables)
    np.testing.assert_allclose(step.gradient_w, grads[0].numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(step.gradient_z, grads[1].numpy(), rtol=1e-6, atol=1e-12)
    keras.optimizers.SGD(learning_rate=rate).apply_gradients(
        zip(grads, layer.trainable_variables, strict=True)
    )
    w_next, b_next = layer.get_weights()
    np.testing.assert_allclose(step.weights_next, w_next, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(step.bias_next, b_next, rtol=1e-6, atol=1e-12)
    after = keras.losses.categorical_crossentropy(target, layer(x[np.newaxis]))
    assert step.loss_next == pytest.approx(float(after.numpy()[0]), rel=1e-6)


KTH_NETWORK = (
    ShapeLayer("conv", "Conv. layer 1", 5, 1, "same", 32, "relu"),
    ShapeLayer("pool", "Pooling layer 1", 2, 2),
    ShapeLayer("conv", "Conv. layer 2", 5, 1, "same", 64, "relu"),
    ShapeLayer("pool", "Pooling layer 2", 2, 2),
    ShapeLayer("flatten", "Flatten"),
    ShapeLayer("dense", "Dense layer", count=1024, activation="relu"),
    ShapeLayer("dense", "Softmax layer", count=10, activation="softmax"),
)
"""Slide 004, "CNN in TensorFlow (1/7)–(7/7)"."""


def test_kth_shapes_and_parameters_are_the_slides() -> None:
    shapes = layer_shapes((28, 28, 1), KTH_NETWORK)
    assert [s.output_shape for s in shapes] == [
        (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (1024,), (10,),
    ]  # fmt: skip
    assert [s.params for s in shapes] == [832, 0, 51_264, 0, 0, 3_212_288, 10_250]
    assert shapes[0].params_formula == "(5·5·1 + 1)·32 = 832"
    assert shapes[5].params_formula.endswith("= 3,212,288")


def keras_model(input_shape: tuple[int, ...], layers: tuple[ShapeLayer, ...]):  # type: ignore[no-untyped-def]
    import keras

    built = [keras.Input(shape=input_shape)]
    for layer in layers:
        if layer.kind == "conv":
            built.append(
                keras.layers.Conv2D(
                    layer.count, layer.size, strides=layer.stride, padding=layer.padding
                )
            )
        elif layer.kind == "pool":
            built.append(
                keras.layers.MaxPooling2D(layer.size, strides=layer.stride, padding=layer.padding)
            )
        elif layer.kind == "flatten":
            built.append(keras.layers.Flatten())
        else:
            built.append(keras.layers.Dense(layer.count))
    return keras.Sequential(built)


@pytest.mark.parametrize("seed", SEEDS)
def test_shapes_match_keras_on_random_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(16, 40))
    layers: list[ShapeLayer] = []
    for number in range(int(rng.integers(1, 3))):
        padding = str(rng.choice(["valid", "same"]))
        kernel, stride = int(rng.integers(1, 4)), 1
        layers.append(ShapeLayer("conv", f"conv {number}", kernel, stride, padding,
                                 int(rng.integers(1, 9))))  # fmt: skip
        layers.append(ShapeLayer("pool", f"pool {number}", 2, 2, padding))
    layers += [ShapeLayer("flatten"), ShapeLayer("dense", count=int(rng.integers(1, 20)))]
    network = tuple(layers)
    channels = int(rng.integers(1, 4))
    shapes = layer_shapes((size, size, channels), network)
    model = keras_model((size, size, channels), network)
    for found, keras_layer in zip(shapes, model.layers, strict=True):
        assert found.output_shape == tuple(keras_layer.output.shape[1:])
        assert found.params == keras_layer.count_params()


def test_the_kth_network_matches_keras() -> None:
    model = keras_model((28, 28, 1), KTH_NETWORK)
    shapes = layer_shapes((28, 28, 1), KTH_NETWORK)
    assert [s.params for s in shapes] == [layer.count_params() for layer in model.layers]
    assert model.count_params() == sum(s.params for s in shapes) == 3_274_634
