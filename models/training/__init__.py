r"""The Keras trainer of the app's MNIST CNN: `python -m models.training` (or models/train.py).

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

Modules: settings (typed settings), cli (options → settings), run (a run from settings),
progress (events, the TrainingProgress protocol), console (the human output), data (MNIST),
augmentation, architectures (the registry of presets), fitting (tf.data and model.fit),
export and onnx_names (the ONNX file), contract (the model contract and its check),
evaluation, samples, model_card, report (what a run reports), outputs (atomic writes),
framework (TensorFlow set-up), errors (UserError).

    python -m models.training                   # the shipped model (about 6 minutes on 2 cores)
    python -m models.training --limit 2000 --epochs 1 --out /tmp/m.onnx --samples /tmp/s.npz \
        --card /tmp/card.md                     # a quick smoke test
"""
