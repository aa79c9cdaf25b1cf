#!/usr/bin/python3
"""Train the `iris` example model of infermesh and write models/iris/.

A small MLP on scikit-learn's bundled iris data set (load_iris: 150 flowers, 4 measurements
in cm; the data ships inside scikit-learn, nothing is downloaded).  Standardisation with the
TRAIN split's mean and standard deviation is part of the exported graph, so the ONNX model
takes raw measurements.  Deterministic: fixed seeds, 2 threads.  Runs in a few seconds.

Writes:  model.onnx, model.yaml, samples/<species>.json, samples/expected.json
"""

import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import yaml
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine_ref  # noqa: E402
from training_common import seed_everything, train_minibatches  # noqa: E402

SEED = 20240601
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
LABELS = ["setosa", "versicolor", "virginica"]

CARD_TEMPLATE = """\
name: iris
version: "1"
description: Iris species classifier, a small MLP trained on scikit-learn's iris measurements, standardisation built in (test accuracy {acc:.1f}%).
artifact: model.onnx
input:
  kind: tabular        # image | tabular
  features: [sepal_length, sepal_width, petal_length, petal_width]   # cm; tensor column order
output:
  labels: ["setosa", "versicolor", "virginica"]
  softmax: true        # the model emits logits; the engine applies softmax
  topK: 3
  links:
    Wikipedia: "https://en.wikipedia.org/wiki/Iris_{{label}}"
resources:
  maxInputBytes: 1048576
  timeoutSeconds: 60
  memoryMb: 512
  cpus: 1
  expectedSeconds: 0.01    # one run on one CPU, until the router has observed real ones
placement:
  mode: onprem
"""


class IrisMLP(nn.Module):
    """[N,4] raw measurements (cm) -> [N,3] logits; (x - mean) / std is inside the graph."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))
        self.net = nn.Sequential(
            nn.Linear(4, 16), nn.ReLU(),
            nn.Linear(16, 16), nn.ReLU(),
            nn.Linear(16, 3),
        )

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "iris"))
    ap.add_argument("--epochs", type=int, default=50)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    samples_dir = os.path.join(out, "samples")
    os.makedirs(samples_dir, exist_ok=True)
    t0 = time.time()
    seed_everything(SEED)

    # ---------------------------------------------------------------- data
    iris = load_iris()
    x = iris.data.astype(np.float32)  # (150, 4), cm
    y = iris.target.astype(np.int64)
    idx_train, idx_test = train_test_split(
        np.arange(len(y)), test_size=0.3, stratify=y, random_state=0)
    mean = x[idx_train].mean(axis=0)
    std = x[idx_train].std(axis=0)  # population std (ddof=0), as sklearn's StandardScaler
    xtr, ytr = torch.from_numpy(x[idx_train]), torch.from_numpy(y[idx_train])
    xte, yte = torch.from_numpy(x[idx_test]), torch.from_numpy(y[idx_test])
    print(f"iris: {len(idx_train)} train, {len(idx_test)} test flowers; train mean {mean.round(3)}, "
          f"std {std.round(3)}")

    # ---------------------------------------------------------------- train
    model = IrisMLP(mean, std)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    train_minibatches(model, opt, loss_fn, xtr, ytr, args.epochs, 16, SEED, 10)
    with torch.no_grad():
        pred = model(xte).argmax(1)
    acc = (pred == yte).float().mean().item() * 100.0
    n_params = sum(p.numel() for p in model.parameters())
    print(f"iris: test accuracy {acc:.2f}% ({int((pred == yte).sum())}/{len(yte)}), "
          f"{n_params} parameters")

    # ---------------------------------------------------------------- export
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 4), onnx_path,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17, do_constant_folding=True)
    engine_ref.check_onnx(onnx_path, "input", "logits", [4], [3])

    onnx_logits = engine_ref.run_onnx(onnx_path, xte.numpy())
    with torch.no_grad():
        torch_logits = model(xte).numpy()
    diff = float(np.abs(onnx_logits - torch_logits).max())
    assert onnx_logits.shape == (len(yte), 3) and diff < 1e-4, diff
    onnx_acc = (onnx_logits.argmax(1) == yte.numpy()).mean() * 100.0
    print(f"iris: ONNX graph on the test split (batch {len(yte)}): accuracy {onnx_acc:.2f}%, "
          f"max |onnx - torch| = {diff:.2e}")

    # ---------------------------------------------------------------- card
    card_text = CARD_TEMPLATE.format(acc=acc)
    with open(os.path.join(out, "model.yaml"), "w") as f:
        f.write(card_text)
    card = yaml.safe_load(card_text)
    assert card["input"]["features"] == FEATURES

    # ---------------------------------------------------------------- samples
    for name in os.listdir(samples_dir):
        os.remove(os.path.join(samples_dir, name))
    expected = {}
    batch = []
    for c, species in enumerate(LABELS):
        # the first test flower of this species that the model classifies correctly
        t = next(t for t in idx_test
                 if y[t] == c and int(np.argmax(engine_ref.run_onnx(onnx_path, x[t:t + 1]))) == c)
        # the raw measurements as published (one decimal), not float32 noise
        sample = {f: float(v) for f, v in zip(FEATURES, iris.data[t])}
        name = f"{species}.json"
        with open(os.path.join(samples_dir, name), "w") as f:
            json.dump(sample, f)
            f.write("\n")
        # expected result, computed from the saved file as the engine does
        with open(os.path.join(samples_dir, name)) as f:
            xin = engine_ref.preprocess_tabular(json.load(f), card["input"])
        batch.append(xin)
        logits = engine_ref.run_onnx(onnx_path, xin)[0]
        with torch.no_grad():
            assert np.abs(model(torch.from_numpy(xin)).numpy()[0] - logits).max() < 1e-4
        top = engine_ref.top_k(engine_ref.softmax(logits), card["output"]["labels"],
                               card["output"]["topK"])
        assert top["labels"][0] == species, (name, top)
        expected[name] = {"label": species, "expected": top}
        print(f"  {name:16s} {sample}  -> "
              + ", ".join(f"{l}:{p:.4f}" for l, p in zip(top["labels"], top["probabilities"])))
    with open(os.path.join(samples_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")

    xb = np.concatenate(batch)
    lb = engine_ref.run_onnx(onnx_path, xb)
    l1 = np.concatenate([engine_ref.run_onnx(onnx_path, v) for v in batch])
    assert lb.shape == (3, 3) and np.abs(lb - l1).max() < 1e-5
    print("iris: batch of 3 through the ONNX graph -> logits (3, 3), matches single runs")
    print(f"iris: wrote {out} ({os.path.getsize(onnx_path)} bytes of ONNX) "
          f"in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
