r"""The Keras trainer of the app's MNIST networks: `python -m models.training` (models/train.py).

Trains the CNN of the course slides (`--arch lecture`, slide 002; `--arch kth`, slide 004's
variant with 5×5 kernels and a 1024-unit dense layer) with light data augmentation in the tf.data
input pipeline, and exports it to ONNX. Outputs (each written atomically: a temporary file, then
a rename):

* the ONNX model: input "image" (N, 28, 28, 1) float32 0..1 with ink = 1, output "probabilities"
  (N, 10), node names that keep the Keras layer names (conv1, pool1, ..., probabilities), and
  metadata (class labels, test accuracy measured with ONNX Runtime, the command, ...);
* samples.npz: 10 correctly classified, typical MNIST test digits per class;
* MODEL_CARD.md: what the model is, how it was trained, and how well it does.

Needs the `train` extra (TensorFlow, Keras, tf2onnx), imported only once a run starts: the
settings, the contract check and `--help` import no TensorFlow, and bad options or a bad data file
are reported (exit status 2) before it is imported.

Presets (`--arch`): the KTH ladder of slide 004 (`softmax`, `dense-sigmoid` 200-100-60-30-10,
`dense-relu` with He initialisation, `dense-dropout` with the deck's decay 0.01·0.6^epoch) and
the CNNs (`lecture`, slide 002; `kth`, slide 004); options left out take the preset's recipe.
`--out FILE.onnx` writes the model, samples and card (the shipped model's way); `--out DIR`
(any path not ending in .onnx) keeps the whole run in a folder: settings, history, a measured
ONNX snapshot per epoch, the final model, samples and card (run_layout.py). `--progress jsonl`
prints the JSON lines of protocol.py instead of Keras's progress bar, and `--control stdin`
obeys "stop" on standard input; that is how the training lab (gui/training) runs the trainer
in a child process.

Modules the GUI may import (no TensorFlow, not even lazily; import-linter checks): settings,
options (options ↔ settings), architectures (the presets as data), keras_code (the Keras code
a student would write), protocol (the JSON lines), history (curves, progress, time left),
lab_text (numbers as text), weight_pictures, runs (saved run folders), run_layout,
run_document (settings.json), mnist_source (where MNIST comes from), packages (is the `train`
extra installed?), contract, errors.

The trainer's own modules: cli, run, progress (events, the TrainingProgress protocol),
console (the human output), jsonl_progress (the JSON lines), control (stdin commands), data
(MNIST), augmentation, keras_models (Keras models from the presets), fitting (tf.data, the
optimizer, model.fit), snapshots (measured ONNX exports), export and onnx_names (the ONNX
file), evaluation, samples, model_card, report, outputs (atomic writes), framework
(TensorFlow set-up).

    python -m models.training                   # the shipped model (about 6 minutes on 2 cores)
    python -m models.training --limit 2000 --epochs 1 --out /tmp/m.onnx --samples /tmp/s.npz \
        --card /tmp/card.md                     # a quick smoke test
    python -m models.training --arch softmax --train-size 2000 --epochs 1 --out /tmp/run \
        --progress jsonl                        # a run folder, JSON lines on stdout
"""
