"""PyTorch eager reference for bench_deepfeatures: torchvision resnet50 on the
same LibTorch (Debian's python3-torch), the same threads and batch.

usage: bench_deepfeatures.py THREADS BATCH REPEATS [SIZE]
prints: extract <images per second>  and  train <images per second>
"""
import sys
import time

import torch
import torchvision

threads, batch, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 224
torch.set_num_threads(threads)
torch.manual_seed(0)
net = torchvision.models.resnet50(weights=None)
net.fc = torch.nn.Linear(2048, 2)
x = torch.randn(batch, 3, size, size)
trunk = torch.nn.Sequential(*list(net.children())[:-1])
net.eval()
with torch.no_grad():
    trunk(x)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        trunk(x).flatten(1)
        best = min(best, time.perf_counter() - t0)
print(f"extract {batch / best:.3f}")
net.train()
opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
y = torch.tensor([i % 2 for i in range(batch)])
best = float("inf")
for r in range(repeats + 1):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(x), y)
    loss.backward()
    opt.step()
    if r:
        best = min(best, time.perf_counter() - t0)
print(f"train {batch / best:.3f}")
