"""PyTorch reference for `npm run bench`: the two VAEs of bench/models.ts (same layers, init, loss,
Adam 1e-3, one fixed binary batch of 128), timed for one round.
Usage: /usr/bin/python3 bench/reference/pytorch_vae_bench.py <mlp|conv> <threads> [steps] [warmup]
Prints two lines:
  openblas <corename> <library path>            (the kernel set the loaded OpenBLAS chose, or "none")
  torch <version> <model> threads <t> ms/step <ms> img/s <rate>
The caller decides the environment (bench/pytorch.ts removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE,
so OpenBLAS picks its kernels for this CPU as it would on a user's machine)."""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from openblas_info import openblas

kind = sys.argv[1]
torch.set_num_threads(int(sys.argv[2]))
steps = int(sys.argv[3]) if len(sys.argv) > 3 else (100 if kind == "mlp" else 30)
warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 5
B = 128


class MLP(nn.Module):
    """pytorch/examples VAE: 784-400-20(mu, log var)-400-784."""

    def __init__(s):
        super().__init__()
        s.f1, s.m, s.v = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        s.f3, s.f4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(s, x):
        h = F.relu(s.f1(x))
        mu, lv = s.m(h), s.v(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        return s.f4(F.relu(s.f3(z))), mu, lv


class Conv(nn.Module):
    """28x28 -> conv 32 -> conv 64 (4x4, stride 2, pad 1) -> dense z=16 -> dense 3136 -> deconv 32 -> deconv 1."""

    def __init__(s):
        super().__init__()
        s.c1, s.c2 = nn.Conv2d(1, 32, 4, 2, 1), nn.Conv2d(32, 64, 4, 2, 1)
        s.m, s.v, s.d = nn.Linear(3136, 16), nn.Linear(3136, 16), nn.Linear(16, 3136)
        s.d1, s.d2 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(s, x):
        h = F.relu(s.c2(F.relu(s.c1(x.view(-1, 1, 28, 28))))).flatten(1)
        mu, lv = s.m(h), s.v(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        g = F.relu(s.d(z)).view(-1, 64, 7, 7)
        return s.d2(F.relu(s.d1(g))).view(-1, 784), mu, lv


model = MLP() if kind == "mlp" else Conv()
opt = torch.optim.Adam(model.parameters(), 1e-3)
x = (torch.rand(B, 784) > 0.5).float()


def step():
    logits, mu, lv = model(x)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + lv - mu**2 - lv.exp())
    loss = (bce + kl) / B
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(warmup):
    step()
t = time.perf_counter()
for _ in range(steps):
    step()
dt = (time.perf_counter() - t) / steps
core, path = openblas()
print("openblas", core, path)
print("torch", torch.__version__, kind, "threads", torch.get_num_threads(), "ms/step %.2f img/s %.1f" % (dt * 1e3, B / dt))
