"""PyTorch reference for `npm run bench -- --models nvae`: vaekit's default spatial NVAE
(src/models/nvae, src/nn/nvae) module for module, on one fixed batch of 64 random 8-bit colour
images 32x32 (NCHW here, NHWC in vaekit), trained with Adam 1e-3 for one timed round.
Usage: /usr/bin/python3 bench/reference/pytorch_nvae_bench.py nvae <threads> [steps] [warmup]
Prints three lines:
  openblas <corename> <library path>
  params trainable <n> bn-running <n> power-iteration <n> stored <n>
  torch <version> nvae threads <t> ms/step <ms> img/s <rate>
`stored` counts what vaekit's modelSize / weights() count: the trained tensors, the batch norms'
running mean and variance (not PyTorch's num_batches_tracked) and the spectral power-iteration
vectors u, v.

The model (nvaeConfigSchema defaults but the width, which bench/nvae.ts pins at 64 — vaekit's default
is now 32; bench/nvae.ts holds the same config on the TypeScript side):
scales 2, groups per scale 2, latent channels 8, width 64 (32 and 16 before the latent scales),
1 cell per group, expansion 3, spectral regularisation 0.01, likelihood 'logistic-mixture' with
K = 3 components per channel. The step is the ELBO at beta = 1 (the bench's ctx), so NVAE's KL
balancing (only while beta < 1) does not act, as in vaekit's bench row.

Where it cannot be the same arithmetic (costs are the same):
- 3x3 stride-2 convolutions pad 1 on each side (PyTorch's, NVAE's); tfjs 'same' pads 0 before and
  1 after on an even side: the same output shape, windows shifted by one pixel.
- PyTorch moves running_var toward the unbiased batch variance, vaekit toward the biased one
  (training normalises by the biased one in both).
- vaekit's step also reads back its metrics and the global gradient norm (NaN guard); this reads
  back only the loss (loss.item()), like the other reference script.
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from openblas_info import openblas

B, SIDE, CHANNELS = 64, 32, 3
SCALES, GROUPS_PER_SCALE, ZC, HIDDEN, CELLS, EXPANSION = 2, 2, 8, 64, 1, 3
SPECTRAL_REG, MIXTURES = 0.01, 3
BN_MOMENTUM, BN_EPS, RESIDUAL = 0.05, 1e-5, 0.1


class BatchNorm(nn.BatchNorm2d):
    def __init__(s, c):
        super().__init__(c, eps=BN_EPS, momentum=BN_MOMENTUM)


class SqueezeExcite(nn.Module):
    """s = mean_hw x; g = sigmoid(W2 relu(W1 s + b1) + b2); y = x * g."""

    def __init__(s, c):
        super().__init__()
        r = max(c // 16, 4)
        s.l1, s.l2 = nn.Linear(c, r), nn.Linear(r, c)

    def forward(s, x):
        g = torch.sigmoid(s.l2(F.relu(s.l1(x.mean((2, 3))))))
        return x * g[:, :, None, None]


class Swish(nn.Module):
    def forward(s, x):
        return F.silu(x)


# Set by check_nvae_mirror.py only: pad 3x3 stride-2 convolutions as tfjs's 'same' does (0 before,
# 1 after), so that the two models compute the same numbers.
TF_SAME_PADDING = False


class Conv(nn.Conv2d):
    def forward(s, x):
        if TF_SAME_PADDING and s.stride[0] == 2 and s.kernel_size[0] == 3:
            return F.conv2d(F.pad(x, (0, 1, 0, 1)), s.weight, s.bias, s.stride, 0)
        return super().forward(x)


def conv(cin, cout, k, stride=1, depthwise=False):
    return Conv(cin, cout, k, stride, k // 2, groups=cin if depthwise else 1)


class Cell(nn.Module):
    """y = skip(u) + 0.1 * body(u), u = x (or x upsampled by 2, nearest)."""

    def __init__(s, body, skip=None, upsample=False):
        super().__init__()
        s.body, s.skip, s.upsample = nn.Sequential(*body), skip, upsample

    def forward(s, x):
        u = F.interpolate(x, scale_factor=2, mode="nearest") if s.upsample else x
        return (s.skip(u) if s.skip is not None else u) + RESIDUAL * s.body(u)


def encoder_body(cin, cout, stride):
    return [BatchNorm(cin), Swish(), conv(cin, cout, 3, stride), BatchNorm(cout), Swish(), conv(cout, cout, 3), SqueezeExcite(cout)]


def generative_body(cin, cout, e):
    e = e * cout
    return [
        BatchNorm(cin), conv(cin, e, 1), BatchNorm(e), Swish(), conv(e, e, 5, depthwise=True),
        BatchNorm(e), Swish(), conv(e, cout, 1), BatchNorm(cout), SqueezeExcite(cout),
    ]


def encoder_cell(c):
    return Cell(encoder_body(c, c, 1))


def down_cell(cin, cout):
    return Cell(encoder_body(cin, cout, 2), conv(cin, cout, 1, 2))


def generative_cell(c):
    return Cell(generative_body(c, c, EXPANSION))


def up_cell(cin, cout):
    return Cell(generative_body(cin, cout, EXPANSION), conv(cin, cout, 1), upsample=True)


def soft_clamp(x, c):
    return c * torch.tanh(x / c)


def gaussian(heads, j, x):
    """Group j's pair of heads (two 3x3 convs to zc channels): mu = 5 tanh(conv(x)/5), log var = 10 tanh(conv'(x)/10)."""
    return soft_clamp(heads[2 * j](x), 5.0), soft_clamp(heads[2 * j + 1](x), 10.0)


def seq(*cells):
    return nn.Sequential(*cells)


class NVAE(nn.Module):
    def __init__(s):
        super().__init__()
        c0, c1, H = HIDDEN // 4, HIDDEN // 2, HIDDEN
        N = SCALES * GROUPS_PER_SCALE
        out = CHANNELS * 3 * MIXTURES
        top_side = SIDE // 2 ** (SCALES + 1)
        s.stem = conv(CHANNELS, c0, 3)
        s.preprocess = seq(encoder_cell(c0), down_cell(c0, c1), encoder_cell(c1), down_cell(c1, H))
        s.encoder_groups = nn.ModuleList(seq(*[encoder_cell(H) for _ in range(CELLS)]) for _ in range(N))
        s.encoder_downs = nn.ModuleList(down_cell(H, H) for _ in range(SCALES - 1))
        s.top = conv(H, H, 1)
        s.decoder_groups = nn.ModuleList(seq(*[generative_cell(H) for _ in range(CELLS)]) for _ in range(N - 1))
        s.decoder_ups = nn.ModuleList(up_cell(H, H) for _ in range(SCALES - 1))
        s.postprocess = seq(up_cell(H, c1), up_cell(c1, c0))
        s.output = conv(c0, out, 3)
        s.posterior_heads = nn.ModuleList(conv(H, ZC, 3) for _ in range(2 * N))
        s.prior_heads = nn.ModuleList(conv(H, ZC, 3) for _ in range(2 * (N - 1)))
        s.encoder_combiners = nn.ModuleList(conv(H, H, 1) for _ in range(N - 1))
        s.decoder_combiners = nn.ModuleList(conv(H + ZC, H, 1) for _ in range(N))
        s.start = nn.Parameter(torch.rand(1, H, top_side, top_side))  # h0 ~ U(0, 1), as vaekit
        s.groups = N

    def convs(s):
        """Every convolution in vaekit's order: the cells' (body, then skip), then the heads'."""
        cells = [*s.preprocess, *[c for g in s.encoder_groups for c in g], *s.encoder_downs,
                 *[c for g in s.decoder_groups for c in g], *s.decoder_ups, *s.postprocess]
        in_cells = [m for c in cells for m in [*c.body, c.skip] if isinstance(m, nn.Conv2d)]
        heads = [s.stem, s.top, s.output, *s.posterior_heads, *s.prior_heads, *s.encoder_combiners, *s.decoder_combiners]
        return in_cells + heads

    def bottom_up(s, x):
        h = s.preprocess(s.stem(2 * x - 1))  # 32x32 needs no padding (a multiple of 4 * 2^(S-1))
        features = []
        for g, cells in enumerate(s.encoder_groups):
            if g > 0 and g % GROUPS_PER_SCALE == 0:
                h = s.encoder_downs[g // GROUPS_PER_SCALE - 1](h)
            h = cells(h)
            features.append(h)
        features.reverse()
        features[0] = F.elu(s.top(F.elu(features[0])))
        return features

    def forward(s, x, use_means=False):
        """log p(x|z) per image and the closed-form KL of each group per image, one posterior sample
        (or z at the posterior means)."""
        f = s.bottom_up(x)
        d = s.start.expand(x.shape[0], -1, -1, -1)
        kls = []
        for j in range(s.groups):
            if j == 0:
                mu, lv = gaussian(s.posterior_heads, 0, f[0])
                kls.append(0.5 * (mu * mu + lv.exp() - 1 - lv))
            else:
                if j % GROUPS_PER_SCALE == 0:
                    d = s.decoder_ups[j // GROUPS_PER_SCALE - 1](d)
                d = s.decoder_groups[j - 1](d)
                mp, lvp = gaussian(s.prior_heads, j - 1, F.elu(d))
                dm, dlv = gaussian(s.posterior_heads, j, f[j] + s.encoder_combiners[j - 1](d))
                mu, lv = mp + dm, lvp + dlv
                kls.append(0.5 * (lvp - lv + (lv.exp() + (mu - mp) ** 2) * torch.exp(-lvp) - 1))
            z = mu if use_means else mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
            d = s.decoder_combiners[j](torch.cat([d, z], 1))
        out = s.output(F.elu(s.postprocess(d)))
        return logistic_mixture_log_prob(out, x), [k.flatten(1).sum(1) for k in kls]


def logistic_mixture_log_prob(params, x):
    """src/distributions/logistic-mixture.ts: per channel, K logistics on [-1, 1], bins of 2/255, edge
    bins, tanh on the means, log scales floored at -7; params [B, c*3K, h, w] as (logits, means, log
    scales) for each channel. Returns log p(x) per image."""
    b, _, h, w = params.shape
    p = params.view(b, CHANNELS, 3, MIXTURES, h, w)
    logits, means, log_scales = p[:, :, 0], torch.tanh(p[:, :, 1]), torch.clamp(p[:, :, 2], min=-7.0)
    xs = (2 * x - 1).unsqueeze(2)  # [B, c, 1, h, w]
    centred = xs - means
    inv_s = torch.exp(-log_scales)
    plus_in = inv_s * (centred + 1 / 255)
    min_in = inv_s * (centred - 1 / 255)
    log_cdf_plus = plus_in - F.softplus(plus_in)
    log_one_minus_cdf_min = -F.softplus(min_in)
    cdf_delta = torch.sigmoid(plus_in) - torch.sigmoid(min_in)
    mid_in = inv_s * centred
    log_pdf_mid = mid_in - log_scales - 2 * F.softplus(mid_in)
    inner = torch.where(cdf_delta > 1e-5, torch.log(torch.clamp(cdf_delta, min=1e-12)), log_pdf_mid - math.log(127.5))
    log_prob_k = torch.where(xs < -0.999, log_cdf_plus, torch.where(xs > 0.999, log_one_minus_cdf_min, inner))
    log_prob = torch.logsumexp(log_prob_k + torch.log_softmax(logits, 2), 2)  # [B, c, h, w]
    return log_prob.flatten(1).sum(1)


def kernel_matrix(c):
    """The matrix spectral.ts regularises: [k^2 c_in, c_out] from tfjs's [k, k, c_in, c_out] kernel;
    depthwise [k^2, c] from [k, k, c, 1]."""
    w = c.weight  # [c_out, c_in / groups, k, k]
    if c.groups > 1:
        return w.permute(2, 3, 0, 1).reshape(-1, w.shape[0])
    return w.permute(2, 3, 1, 0).reshape(-1, w.shape[0])


def normalise(t):
    return t / (t.norm(dim=1, keepdim=True) + 1e-12)


class SpectralNorms:
    """spectral.ts: matrices grouped by shape, persistent u [n, rows, 1], v [n, cols, 1]; sigma = u^T W v
    with u, v constant; one power iteration after each update (10 when built)."""

    def __init__(s, convs):
        by_shape = {}
        for c in convs:
            by_shape.setdefault(tuple(kernel_matrix(c).shape), []).append(c)
        s.groups = []
        for (rows, cols), group in by_shape.items():
            n = len(group)
            s.groups.append([group, normalise(torch.randn(n, rows, 1)), normalise(torch.randn(n, cols, 1))])
        s.iterate(10)

    @staticmethod
    def stacked(group):
        return torch.stack([kernel_matrix(c) for c in group])

    @torch.no_grad()
    def iterate(s, times=1):
        for g in s.groups:
            w, u, v = s.stacked(g[0]), g[1], g[2]
            for _ in range(times):
                v = normalise(torch.bmm(w.transpose(1, 2), u))
                u = normalise(torch.bmm(w, v))
            g[1], g[2] = u, v

    def sum(s):
        return sum((torch.bmm(s.stacked(c), v) * u).sum() for c, u, v in s.groups)

    def stored(s):
        return sum(u.numel() + v.numel() for _, u, v in s.groups)


def main():
    kind = sys.argv[1]
    assert kind == "nvae", "usage: pytorch_nvae_bench.py nvae <threads> [steps] [warmup]"
    torch.set_num_threads(int(sys.argv[2]))
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    model = NVAE()
    spectral = SpectralNorms(model.convs())
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.randint(0, 256, (B, CHANNELS, SIDE, SIDE)).float() / 255

    def step():
        log_px, kls = model(x)
        # -ELBO per image at beta = 1: -mean log p(x|z) + sum over groups of the batch-mean KL
        loss = -log_px.mean() + sum(k.mean() for k in kls)
        loss = loss + SPECTRAL_REG * spectral.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        spectral.iterate(1)
        return loss.item()

    trainable = sum(p.numel() for p in model.parameters())
    running = sum(m.running_mean.numel() + m.running_var.numel() for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    power = spectral.stored()
    print("params trainable %d bn-running %d power-iteration %d stored %d" % (trainable, running, power, trainable + running + power))
    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        loss = step()
    dt = (time.perf_counter() - t) / steps
    core, path = openblas()
    print("openblas", core, path)
    print("torch", torch.__version__, kind, "threads", torch.get_num_threads(), "ms/step %.2f img/s %.1f loss %.1f" % (dt * 1e3, B / dt, loss))


if __name__ == "__main__":
    main()
