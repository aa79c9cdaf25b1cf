"""What the training scripts share: a deterministic set-up and the plain minibatch loop."""
import random

import numpy as np
import torch


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)


def train_minibatches(model, opt, loss_fn, x, y, epochs, batch, seed, report_every, label="train loss"):
    """Shuffled minibatches (a seeded generator), the full-set loss printed every report_every epochs; eval mode after."""
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(perm), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
        if (epoch + 1) % report_every == 0:
            with torch.no_grad():
                full = loss_fn(model(x), y).item()
            print(f"  epoch {epoch + 1:4d}  {label} {full:.4f}")
    model.eval()
