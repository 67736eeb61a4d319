"""Samples from a vaekit ONNX export with onnxruntime alone (no vaekit, no PyTorch).

    python3 sample_onnx.py exports/vae-onnx [out-dir]

Reads model-card.json for the decoder's inputs, draws 16 samples (z ~ N(0, I); a conditional model's
labels 0, 1, 2, ...), and, when the export has an encoder, encodes them back. With out-dir, writes the
inputs and outputs there as .npy files.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort


def fail(message):
    sys.exit(f"sample_onnx.py: {message}")


if len(sys.argv) not in (2, 3):
    fail("usage: python3 sample_onnx.py <export folder> [out-dir]")
export = Path(sys.argv[1])
try:
    card = json.loads((export / "model-card.json").read_text())
except (OSError, ValueError) as e:
    fail(f"{export}: expected the folder `vaekit export --format onnx` wrote, with its model-card.json ({e})")
decoder_card = next((p for p in card.get("parts", []) if p.get("part") == "decoder"), None)
if decoder_card is None:
    parts = ", ".join(p.get("part", "?") for p in card.get("parts", []))
    fail(f"{export} has no decoder to sample from (it holds: {parts}); export one with --part decoder or all")
if not (export / "decoder.onnx").exists():
    fail(f"{export} has no decoder.onnx ({card.get('format', 'another format')}); export with --format onnx")

n = 16
rng = np.random.default_rng(0)
feeds = {}
for port in decoder_card["inputs"]:  # z [batch, m], the HVAE's noise [batch, L, m], a CVAE's y [batch, K]
    shape = [n, *port["shape"][1:]]
    if port["kind"] == "one-hot":
        feeds[port["name"]] = np.eye(shape[1], dtype=np.float32)[np.arange(n) % shape[1]]
    else:
        feeds[port["name"]] = rng.standard_normal(shape, dtype=np.float32)

decoder = ort.InferenceSession(str(export / "decoder.onnx"))
(x,) = decoder.run(["x"], feeds)  # [n, height, width, channels], E[x|z], NHWC (the card says its range)
print(f"decoder: {', '.join(f'{k} {list(v.shape)}' for k, v in feeds.items())} -> x {list(x.shape)}")

results = {**feeds, "x": x}
if (export / "encoder.onnx").exists():
    encoder = ort.InferenceSession(str(export / "encoder.onnx"))
    extra = {k: v for k, v in feeds.items() if k == "y"}  # a CVAE's encoder sees the label too
    mu, logvar = encoder.run(["mu", "logvar"], {"x": x, **extra})
    print(f"encoder: x {list(x.shape)} -> mu {list(mu.shape)}, logvar {list(logvar.shape)}")
    results.update(mu=mu, logvar=logvar)

if len(sys.argv) > 2:
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for name, value in results.items():
        np.save(out / f"{name}.npy", value)
