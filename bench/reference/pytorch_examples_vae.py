"""pytorch/examples vae/main.py (784-400-20, Bernoulli/BCE, Adam 1e-3, batch 128), trained on the
same 9,000/1,000 digits as `vaekit train` (exported by bench/export-mnist.ts), reporting the average
test loss (negative ELBO, nats per image) per epoch exactly as the original script computes it.
Usage: /usr/bin/python3 bench/reference/pytorch_examples_vae.py <npy-dir> [epochs] [seed]"""
import sys, time
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

d = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
torch.set_num_threads(2)
train = torch.from_numpy(np.load(f"{d}/train.npy"))
test = torch.from_numpy(np.load(f"{d}/test.npy"))


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def forward(self, x):
        h1 = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h1), self.fc22(h1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, epochs + 1):
    model.train()
    t = time.perf_counter()
    perm = torch.randperm(len(train))
    total = 0.0
    for i in range(0, len(train), 128):
        x = train[perm[i : i + 128]]
        opt.zero_grad()
        r, mu, lv = model(x)
        loss = loss_function(r, x, mu, lv)
        loss.backward()
        total += loss.item()
        opt.step()
    secs = time.perf_counter() - t
    model.eval()
    with torch.no_grad():
        tl = 0.0
        for i in range(0, len(test), 128):
            x = test[i : i + 128]
            r, mu, lv = model(x)
            tl += loss_function(r, x, mu, lv).item()
    print(f"epoch {epoch} train loss {total / len(train):.2f} test loss {tl / len(test):.2f} ({len(train) / secs:.0f} img/s)", flush=True)
