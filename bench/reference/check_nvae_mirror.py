"""Checks that pytorch_nvae_bench.py computes what vaekit's NVAE computes: loads the weights, batch and
results bench/nvae-mirror.ts wrote, runs the PyTorch model on them (tfjs's 'same' padding for the
stride-2 convolutions, batch statistics, z at the posterior means) and prints the largest differences.
Usage: node --import tsx bench/nvae-mirror.ts /tmp/m.json && /usr/bin/python3 bench/reference/check_nvae_mirror.py /tmp/m.json"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
import pytorch_nvae_bench as ref  # noqa: E402

ref.TF_SAME_PADDING = True
data = json.load(open(sys.argv[1]))
weights = iter(data["weights"])


def take(shape_torch, convert=lambda t: t):
    w = next(weights)
    t = convert(torch.tensor(w["values"], dtype=torch.float32).view(w["shape"]))
    assert tuple(t.shape) == tuple(shape_torch), (w["name"], w["shape"], shape_torch)
    return t


def load_conv(c):
    depthwise = c.groups > 1
    # tfjs [k, k, c_in, c_out] -> [c_out, c_in, k, k]; depthwise [k, k, c, 1] -> [c, 1, k, k]
    c.weight.data = take(c.weight.shape, lambda t: t.permute(2, 3, 0, 1) if depthwise else t.permute(3, 2, 0, 1))
    c.bias.data = take(c.bias.shape)


def load_module(m):
    if isinstance(m, nn.Conv2d):
        load_conv(m)
    elif isinstance(m, nn.BatchNorm2d):
        m.weight.data, m.bias.data = take(m.weight.shape), take(m.bias.shape)
        m.running_mean.data, m.running_var.data = take(m.running_mean.shape), take(m.running_var.shape)
    elif isinstance(m, ref.SqueezeExcite):
        m.l1.weight.data = take(m.l1.weight.shape, lambda t: t.t())
        m.l1.bias.data = take(m.l1.bias.shape)
        m.l2.weight.data = take(m.l2.weight.shape, lambda t: t.t())
        m.l2.bias.data = take(m.l2.bias.shape)


model = ref.NVAE()
cells = [*model.preprocess, *[c for g in model.encoder_groups for c in g], *model.encoder_downs,
         *[c for g in model.decoder_groups for c in g], *model.decoder_ups, *model.postprocess]
for cell in cells:
    for m in cell.body:
        load_module(m)
    if cell.skip is not None:
        load_conv(cell.skip)
for c in [model.stem, model.top, model.output, *model.posterior_heads, *model.prior_heads,
          *model.encoder_combiners, *model.decoder_combiners]:
    load_conv(c)
model.start.data = take(model.start.shape, lambda t: t.permute(0, 3, 1, 2))
spectral = ref.SpectralNorms(model.convs())
for g in spectral.groups:
    g[1], g[2] = take(g[1].shape), take(g[2].shape)
assert next(weights, None) is None, "weights left over"

x = torch.tensor(data["x"]["values"]).view(data["x"]["shape"]).permute(0, 3, 1, 2).contiguous()
with torch.no_grad():
    log_px, kls = model(x, use_means=True)
    sigma = spectral.sum().item()


def rel(a, b):
    b = torch.tensor(b)
    return ((a - b).abs().max() / b.abs().max().clamp(min=1e-6)).item()


print("log p(x|z): max relative difference %.2e (torch %.3f, vaekit %.3f)" % (rel(log_px, data["logPx"]), log_px[0], data["logPx"][0]))
for i, (k, kv) in enumerate(zip(kls, data["kls"])):
    print("KL group %d: max relative difference %.2e (torch %.4f, vaekit %.4f)" % (i, rel(k, kv), k[0], kv[0]))
print("sum sigma_max: torch %.5f vaekit %.5f" % (sigma, data["spectral"]))
