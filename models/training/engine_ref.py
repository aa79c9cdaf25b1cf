"""Reference implementation of the infermesh engine's pre/post-processing, in Python.

The training scripts use this module to compute ``samples/expected.json`` from the
*saved* sample files, so that the Java engine can be tested against it.  It is the
executable specification of what the engine does with a model card:

image input (card ``input.kind: image``)
  1. decode the file (PNG / JPEG) to 8-bit samples, no colour management;
  2. to grayscale (``channels: 1``): an 8-bit gray image is taken as is; an RGB image
     becomes ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601 luma) as a float, not rounded;
     an alpha channel is ignored;
  3. resize to ``width`` x ``height`` by area averaging: every output pixel is the mean
     of the input pixels it covers, each weighted by its covered area (for 32x32 -> 8x8
     this is exactly the mean of each 4x4 block); floats, no rounding;
  4. ``invert: true`` -> ``p = 255 - p``;
  5. ``p = p * scale``; then per channel ``(p - mean[c]) / std[c]``;
  6. lay the tensor out as ``layout`` (NCHW here: [1, channels, height, width]), float32.

tabular input (card ``input.kind: tabular``)
  the JSON object's values, taken in the order of ``input.features``, as float32 [1, n].

output
  the model emits logits; ``softmax: true`` -> probabilities = softmax(logits) over all
  labels (computed stably: exp(l - max)); then the ``topK`` largest, probability
  descending (ties: lower label index first).

ONNX Runtime is not packaged for this machine's Python, and onnx 1.12 has no reference
evaluator, so :func:`run_onnx` is a tiny NumPy interpreter for the handful of operators
these example graphs use.  It runs the *exported graph*, not the PyTorch module; the
training scripts additionally check that it agrees with PyTorch.
"""

import math

import numpy as np
import onnx
from onnx import numpy_helper
from PIL import Image


# --------------------------------------------------------------------------- images

def load_gray(path):
    """Decode an image file to a float64 HxW grayscale array (values 0..255)."""
    with Image.open(path) as im:
        im.load()
        if im.mode == "L":
            return np.asarray(im, dtype=np.float64)
        if im.mode != "RGB":
            im = im.convert("RGB")  # e.g. RGBA, P: drop alpha / expand palette
        rgb = np.asarray(im, dtype=np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _area_weights(n_in, n_out):
    """Matrix W (n_out x n_in): W[o, i] = fraction of input cell i inside output cell o,
    normalised so that each row sums to 1."""
    w = np.zeros((n_out, n_in), dtype=np.float64)
    ratio = n_in / n_out
    for o in range(n_out):
        lo, hi = o * ratio, (o + 1) * ratio
        i = int(math.floor(lo))
        while i < n_in and i < hi:
            overlap = min(hi, i + 1) - max(lo, i)
            if overlap > 0:
                w[o, i] = overlap
            i += 1
        w[o] /= w[o].sum()
    return w


def area_resize(gray, width, height):
    """Area-average resize of a HxW float array to height x width."""
    h, w = gray.shape
    if (h, w) == (height, width):
        return gray.copy()
    wy = _area_weights(h, height)
    wx = _area_weights(w, width)
    return wy @ gray @ wx.T


def preprocess_image(path, card_input):
    """File -> float32 tensor [1, C, H, W] (NCHW) following the card's input section."""
    assert card_input["kind"] == "image"
    assert card_input["channels"] == 1 and card_input["layout"] == "NCHW"
    p = area_resize(load_gray(path), card_input["width"], card_input["height"])
    if card_input.get("invert"):
        p = 255.0 - p
    p = p * card_input["scale"]
    p = (p - card_input["mean"][0]) / card_input["std"][0]
    return p.astype(np.float32)[None, None, :, :]


def preprocess_tabular(obj, card_input):
    assert card_input["kind"] == "tabular"
    return np.array([[obj[f] for f in card_input["features"]]], dtype=np.float32)


# --------------------------------------------------------------------------- output

def softmax(logits):
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def top_k(probs, labels, k):
    order = sorted(range(len(labels)), key=lambda i: (-probs[i], i))[:k]
    return {"labels": [labels[i] for i in order],
            "probabilities": [float(probs[i]) for i in order]}


# --------------------------------------------------------------------------- ONNX (NumPy)

def _conv2d(x, w, b, pads, strides, dilations, group):
    assert group == 1 and tuple(dilations) == (1, 1)
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    pt, pl, pb, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    sh, sw = strides
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    out = np.zeros((n, m, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]  # n c oh ow
            out += np.einsum("nchw,mc->nmhw", patch, w[:, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


def _maxpool2d(x, kernel, strides, pads):
    assert all(p == 0 for p in pads)
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = strides
    oh = (h - kh) // sh + 1
    ow = (w - kw) // sw + 1
    out = np.full((n, c, oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw])
    return out


def run_onnx(model_path, x):
    """Run a (simple) ONNX graph on one input with NumPy, in float64; returns float32."""
    model = onnx.load(model_path)
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    env[g.input[0].name] = np.asarray(x, dtype=np.float64)
    for node in g.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            k = ins[1].shape[2:]
            r = _conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                        a.get("pads", [0, 0, 0, 0]), a.get("strides", [1, 1]),
                        a.get("dilations", [1, 1]), a.get("group", 1))
            assert list(a.get("kernel_shape", k)) == list(k)
        elif op == "Relu":
            r = np.maximum(ins[0], 0.0)
        elif op == "MaxPool":
            r = _maxpool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]),
                           a.get("pads", [0, 0, 0, 0]))
        elif op == "Flatten":
            ax = a.get("axis", 1)
            r = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            r = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                r = r + a.get("beta", 1.0) * ins[2]
        elif op == "MatMul":
            r = ins[0] @ ins[1]
        elif op == "Add":
            r = ins[0] + ins[1]
        elif op == "Sub":
            r = ins[0] - ins[1]
        elif op == "Mul":
            r = ins[0] * ins[1]
        elif op == "Div":
            r = ins[0] / ins[1]
        elif op == "Constant":
            r = numpy_helper.to_array(a["value"]).astype(np.float64)
        else:
            raise NotImplementedError("ONNX op " + op)
        env[node.output[0]] = r
    return env[g.output[0].name].astype(np.float32)


def check_onnx(model_path, in_name, out_name, in_shape_tail, out_tail):
    """onnx.checker + the I/O contract: names, float32, dynamic batch dimension."""
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    (i,), (o,) = model.graph.input, model.graph.output
    assert i.name == in_name and o.name == out_name, (i.name, o.name)
    for vi, tail in ((i, in_shape_tail), (o, out_tail)):
        t = vi.type.tensor_type
        assert t.elem_type == onnx.TensorProto.FLOAT
        dims = t.shape.dim
        assert dims[0].dim_param and not dims[0].HasField("dim_value"), "batch must be dynamic"
        assert [d.dim_value for d in dims[1:]] == list(tail), [d for d in dims]
    return model
