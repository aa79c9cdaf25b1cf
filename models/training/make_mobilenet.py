"""A compute-realistic CNN for load tests: MobileNetV2 (width 1.0, 224x224 RGB, 1000 classes; about 3.5 million
parameters and 300 million multiply-adds per image) with RANDOM weights (seeded) -- its answers mean nothing; it is
there so that the mesh's overhead is measured against real compute (issue #7). Writes build/models/mobilenet/
{model.onnx, model.yaml} and links the example models beside it, so that a mesh started with
INFERMESH_MODELS_DIR=build/models serves them all. Not committed (about 14 MB); make -C models/training mobilenet.
Run with /usr/bin/python3 (torch, onnx)."""
import os
import pathlib

import torch
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "models"


def conv_bn(cin, cout, stride, groups=1, kernel=3, act=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return layers


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else conv_bn(cin, hidden, 1, kernel=1)
        layers += conv_bn(hidden, hidden, stride, groups=hidden)
        layers += conv_bn(hidden, cout, 1, kernel=1, act=False)
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


class MobileNetV2(nn.Module):
    # (expansion, channels, repeats, stride), as in Sandler et al. 2018
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                (6, 320, 1, 1)]

    def __init__(self, classes=1000):
        super().__init__()
        layers = conv_bn(3, 32, 2)
        cin = 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers += conv_bn(cin, 1280, 1, kernel=1)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


def main():
    torch.manual_seed(7)
    model = MobileNetV2().eval()
    target = OUT / "mobilenet"
    target.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), target / "model.onnx", input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=13)
    params = sum(p.numel() for p in model.parameters())
    labels = ", ".join(f'"class-{i}"' for i in range(1000))
    (target / "model.yaml").write_text(f"""name: mobilenet
version: "1"
description: MobileNetV2-sized CNN with RANDOM weights (seed 7, {params:,} parameters) for load tests only - its answers mean nothing (models/training/make_mobilenet.py).
artifact: model.onnx
input:
  kind: image
  width: 224
  height: 224
  channels: 3
  layout: NCHW
  invert: false
  scale: 0.00392156862745098
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
output:
  labels: [{labels}]
  softmax: true
  topK: 5
resources:
  maxInputBytes: 10485760
  timeoutSeconds: 60
  memoryMb: 1024
  cpus: 1
  expectedSeconds: 0.05
placement:
  mode: onprem
""")
    for example in ("digits", "iris", "fraud"):
        link = OUT / example
        if not link.exists():
            os.symlink(ROOT / "models" / example, link)
    print(f"wrote {target} ({params:,} parameters, {(target / 'model.onnx').stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
