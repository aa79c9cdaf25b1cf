#!/usr/bin/python3
"""Train the `digits` example model of infermesh and write models/digits/.

A small CNN on scikit-learn's bundled 8x8 handwritten digits (load_digits: 1797 images,
values 0..16; the data ships inside scikit-learn, nothing is downloaded).  Deterministic:
fixed seeds, 2 threads, deterministic algorithms.  Runs in a few seconds on 2 CPUs.

Writes:  model.onnx, model.yaml, samples/digit-<d>.png (+ one .jpg, + digit-3.npy), samples/expected.json
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
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine_ref  # noqa: E402
from training_common import seed_everything, train_minibatches  # noqa: E402

SEED = 20240601
LABELS = [str(d) for d in range(10)]
UPSCALE = 4  # 8x8 -> 32x32, nearest neighbour
JPEG_DIGIT = 8  # this digit's sample is also written as an RGB JPEG
MIN_CONFIDENCE = 0.9  # samples: unambiguous images, so decoder noise cannot flip them
MIN_TOPK_GAP = 1e-5  # samples: no near-ties inside the expected top 5 (stable ordering)

CARD_TEMPLATE = """\
name: digits
version: "1"
description: Handwritten digit classifier, a small CNN trained on scikit-learn's 8x8 digits (test accuracy {acc:.1f}%).
artifact: model.onnx
input:
  kind: image          # image | tabular
  width: 8
  height: 8
  channels: 1          # 1 = grayscale, 3 = RGB
  layout: NCHW         # NCHW | NHWC
  invert: true         # people upload dark ink on light paper; the training data is bright ink on black
  scale: 0.00392156862745098   # multiply each pixel (0..255, after inversion) by this -> 0..1
  mean: [0.0]          # per channel, subtracted after scaling
  std: [1.0]           # per channel, divided after subtracting the mean
output:
  labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
  softmax: true        # the model emits logits; the engine applies softmax
  topK: 5
  links:
    Wikipedia: "https://en.wikipedia.org/wiki/{{label}}_(number)"
resources:
  maxInputBytes: 10485760
  timeoutSeconds: 60
  memoryMb: 512
  cpus: 1
  expectedSeconds: 0.01    # one run on one CPU, until the router has observed real ones
placement:
  mode: onprem
"""


class DigitsCNN(nn.Module):
    """[N,1,8,8] in 0..1 -> [N,10] logits.  ~10k parameters."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),                                  # 16 x 4 x 4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 4 * 4, 32), nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def render_scan(v8x8):
    """8x8 digits values (0..16) -> 32x32 uint8, dark ink on white paper."""
    p = 255 - np.rint(np.asarray(v8x8, dtype=np.float64) * 255.0 / 16.0)
    p = np.kron(p, np.ones((UPSCALE, UPSCALE)))
    return p.astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "digits"))
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    samples_dir = os.path.join(out, "samples")
    os.makedirs(samples_dir, exist_ok=True)
    t0 = time.time()
    seed_everything(SEED)

    # ---------------------------------------------------------------- data
    digits = load_digits()
    images = digits.images.astype(np.float32)  # (1797, 8, 8), 0..16
    y = digits.target.astype(np.int64)
    idx_train, idx_test = train_test_split(
        np.arange(len(y)), test_size=0.25, stratify=y, random_state=0)
    x_all = torch.from_numpy(images / 16.0).unsqueeze(1)  # model input: v / 16
    y_all = torch.from_numpy(y)
    xtr, ytr = x_all[idx_train], y_all[idx_train]
    xte, yte = x_all[idx_test], y_all[idx_test]
    print(f"digits: {len(idx_train)} train, {len(idx_test)} test images")

    # ---------------------------------------------------------------- train
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(perm), 32):
            b = perm[i:i + 32]
            xb = xtr[b]
            # light augmentation: random shift by up to one pixel (zero padding),
            # so that slightly off-centre scans still work
            dy, dx = torch.randint(-1, 2, (2,), generator=gen).tolist()
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            if dy == 1:
                xb[:, :, 0, :] = 0
            elif dy == -1:
                xb[:, :, -1, :] = 0
            if dx == 1:
                xb[:, :, :, 0] = 0
            elif dx == -1:
                xb[:, :, :, -1] = 0
            opt.zero_grad()
            loss = loss_fn(model(xb), ytr[b])
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        sched.step()
        if (epoch + 1) % 10 == 0:
            print(f"  epoch {epoch + 1:3d}  train loss {total / len(xtr):.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(xte).argmax(1)
    acc = (pred == yte).float().mean().item() * 100.0
    n_params = sum(p.numel() for p in model.parameters())
    print(f"digits: test accuracy {acc:.2f}% ({int((pred == yte).sum())}/{len(yte)}), "
          f"{n_params} parameters")

    # ---------------------------------------------------------------- export
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 1, 8, 8), onnx_path,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17, do_constant_folding=True)
    engine_ref.check_onnx(onnx_path, "input", "logits", [1, 8, 8], [10])

    # the exported graph must agree with torch, on the whole test split (dynamic batch)
    onnx_logits = engine_ref.run_onnx(onnx_path, xte.numpy())
    with torch.no_grad():
        torch_logits = model(xte).numpy()
    diff = float(np.abs(onnx_logits - torch_logits).max())
    assert onnx_logits.shape == (len(yte), 10), onnx_logits.shape
    assert diff < 1e-4, diff
    onnx_acc = (onnx_logits.argmax(1) == yte.numpy()).mean() * 100.0
    print(f"digits: ONNX graph on the test split (batch {len(yte)}): accuracy {onnx_acc:.2f}%, "
          f"max |onnx - torch| = {diff:.2e}")

    # ---------------------------------------------------------------- card
    card_text = CARD_TEMPLATE.format(acc=acc)
    with open(os.path.join(out, "model.yaml"), "w") as f:
        f.write(card_text)
    card = yaml.safe_load(card_text)

    # ---------------------------------------------------------------- samples
    for name in os.listdir(samples_dir):
        if name.startswith("digit-"):
            os.remove(os.path.join(samples_dir, name))
    files = {}  # file name -> true digit
    chosen = {}
    for t in idx_test:  # first test image of each digit classified correctly and confidently
        d = int(y[t])
        if d in chosen:
            continue
        with torch.no_grad():
            p = torch.softmax(model(x_all[t:t + 1]), 1)[0]
        if int(p.argmax()) != d or float(p[d]) < MIN_CONFIDENCE:
            continue
        ranked = torch.sort(p.double(), descending=True).values[:6]  # top-5 and the 6th
        if float((ranked[:-1] - ranked[1:]).min()) < MIN_TOPK_GAP:
            continue  # a near-tie in the top 5 could swap order under float rounding
        chosen[d] = t
    for d in sorted(chosen):
        scan = render_scan(digits.images[chosen[d]])
        name = f"digit-{d}.png"
        Image.fromarray(scan, mode="L").save(os.path.join(samples_dir, name), format="PNG")
        files[name] = d
        if d == JPEG_DIGIT:
            name = f"digit-{d}.jpg"
            rgb = np.repeat(scan[:, :, None], 3, axis=2)
            Image.fromarray(rgb, mode="RGB").save(
                os.path.join(samples_dir, name), format="JPEG", quality=95, subsampling=0)
            files[name] = d

    # expected results, computed from the saved files exactly as the engine does
    expected = {}
    batch = []
    for name in sorted(files):
        x = engine_ref.preprocess_image(os.path.join(samples_dir, name), card["input"])
        batch.append(x)
        logits = engine_ref.run_onnx(onnx_path, x)[0]
        with torch.no_grad():
            tl = model(torch.from_numpy(x)).numpy()[0]
        assert np.abs(tl - logits).max() < 1e-4, (name, tl, logits)
        probs = engine_ref.softmax(logits)
        top = engine_ref.top_k(probs, card["output"]["labels"], card["output"]["topK"])
        label = LABELS[files[name]]
        assert top["labels"][0] == label, (name, top)
        ranked = np.sort(probs)[::-1][:6]
        assert (ranked[:-1] - ranked[1:]).min() > 1e-6, (name, ranked)
        expected[name] = {"label": label, "expected": top}
        print(f"  {name:12s} true {label}  top-3 "
              + ", ".join(f"{l}:{p:.4f}" for l, p in
                          zip(top["labels"][:3], top["probabilities"][:3])))
    with open(os.path.join(samples_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    # a raw-tensor upload: digit-3.png as the engine prepares it, saved by numpy (RawTensorUploadTests)
    np.save(os.path.join(samples_dir, "digit-3.npy"),
            engine_ref.preprocess_image(os.path.join(samples_dir, "digit-3.png"), card["input"]))

    # dynamic batch: the samples as one batch give the same logits as one by one
    xb = np.concatenate(batch[:3])
    lb = engine_ref.run_onnx(onnx_path, xb)
    l1 = np.concatenate([engine_ref.run_onnx(onnx_path, x) for x in batch[:3]])
    assert lb.shape == (3, 10) and np.abs(lb - l1).max() < 1e-5
    print(f"digits: batch of 3 through the ONNX graph -> logits {lb.shape}, "
          f"matches single runs")

    print(f"digits: wrote {out} ({os.path.getsize(onnx_path)} bytes of ONNX, "
          f"{len(files)} samples) in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
