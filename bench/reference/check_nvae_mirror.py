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


loaded = []  # (vaekit name, torch tensor, layout conversion)


def tensor(w, convert):
    return convert(torch.tensor(w["values"], dtype=torch.float32).view(w["shape"]))


def take(target, convert=lambda t: t):
    """The next vaekit weight, converted to PyTorch's layout, into `target` (a parameter or buffer)."""
    w = next(weights)
    t = tensor(w, convert)
    assert tuple(t.shape) == tuple(target.shape), (w["name"], w["shape"], tuple(target.shape))
    target.data = t
    loaded.append((w["name"], target, convert))


def load_conv(c):
    depthwise = c.groups > 1
    # tfjs [k, k, c_in, c_out] -> [c_out, c_in, k, k]; depthwise [k, k, c, 1] -> [c, 1, k, k]
    take(c.weight, lambda t: t.permute(2, 3, 0, 1) if depthwise else t.permute(3, 2, 0, 1))
    take(c.bias)


def load_module(m):
    if isinstance(m, nn.Conv2d):
        load_conv(m)
    elif isinstance(m, nn.BatchNorm2d):
        for t in (m.weight, m.bias, m.running_mean, m.running_var):
            take(t)
    elif isinstance(m, ref.SqueezeExcite):
        take(m.l1.weight, lambda t: t.t())
        take(m.l1.bias)
        take(m.l2.weight, lambda t: t.t())
        take(m.l2.bias)


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
take(model.start, lambda t: t.permute(0, 3, 1, 2))
spectral = ref.SpectralNorms(model.convs())
for g in spectral.groups:
    g[1], g[2] = torch.empty(g[1].shape), torch.empty(g[2].shape)
    take(g[1])
    take(g[2])
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

# the gradient of -mean log p(x|z) + sum_j mean KL_j + 0.01 sum sigma_max (z at the posterior means)
log_px, kls = model(x, use_means=True)
(-log_px.mean() + sum(k.mean() for k in kls) + 0.01 * spectral.sum()).backward()
# Relative to the largest gradient of the same kind of tensor: a conv bias just before a batch norm has
# a gradient that is zero but for rounding, and relative to itself it differs by 100 %.
rows = []
for name, target, convert in loaded:
    if name in data["gradients"]:
        shape = data["weights"][int(name.split("/")[1])]["shape"]
        g = tensor({"values": data["gradients"][name], "shape": shape}, convert)
        rows.append((name, target.dim(), (target.grad - g).norm().item(), g.norm().item(), target.grad.norm().item()))
scale = {d: max(r[3] for r in rows if r[1] == d) for d in {r[1] for r in rows}}
rows.sort(key=lambda r: -r[2] / scale[r[1]])
print("gradients of %d trained tensors; largest differences relative to the largest gradient of the same rank:" % len(rows))
for name, dim, diff, gv, gt in rows[:5]:
    print("  %-9s rank %d: |diff| %.2e / %.2e = %.1e   (|grad| vaekit %.2e, torch %.2e)" % (name, dim, diff, scale[dim], diff / scale[dim], gv, gt))
