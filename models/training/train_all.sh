#!/bin/sh
# Regenerates every example model of infermesh (models/digits, models/iris, models/fraud) from scratch.
# Offline and deterministic: digits and iris ship inside scikit-learn, fraud's data is synthetic (generated
# from a fixed seed); fixed seeds, 2 threads.
# Needs Debian's python3-torch python3-sklearn python3-onnx python3-yaml python3-pil.
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
"$PY" train_digits.py "$@"
"$PY" train_iris.py "$@"
"$PY" train_fraud.py "$@"
