"""Reference for tests/deepfeatures: a torchvision resnet50 with seeded random
weights (nothing is downloaded), exported as TorchScript, and its outputs.

usage: torchvision_reference.py OUTDIR
writes OUTDIR/resnet50.pt, input.npy (2 x 3 x 224 x 224), features.npy
(2 x 2048, the average-pooled activations), logits.npy (2 x 1000), and
plane.npy / plane_resized.npy (a 37 x 53 plane resized to 224 x 224 by
torch's bilinear interpolation), and for the same trunk with a seeded
2-class head: resnet50_2class.pt, logits2.npy (2 x 2) and gradcam.npy
(2 x 7 x 7, Grad-CAM of class 1 on layer4 computed with autograd).
"""
import sys

import numpy as np
import torch
import torchvision

out = sys.argv[1]
torch.manual_seed(0)
torch.set_num_threads(2)
net = torchvision.models.resnet50(weights=None)
# Non-trivial batch-norm statistics, so that the buffers matter.
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.1, 0.1)
net.eval()
torch.jit.script(net).save(f"{out}/resnet50.pt")
x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
with torch.no_grad():
    trunk = torch.nn.Sequential(*list(net.children())[:-1])
    features = trunk(x).flatten(1)
    logits = net(x)
np.save(f"{out}/input.npy", x.numpy().astype(np.float32))
np.save(f"{out}/features.npy", features.numpy().astype(np.float32))
np.save(f"{out}/logits.npy", logits.numpy().astype(np.float32))

# Bilinear resize as torchvision's transforms use it (tensor path, no antialiasing).
plane = torch.rand(1, 1, 37, 53, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
resized = torch.nn.functional.interpolate(plane, size=(224, 224), mode="bilinear", align_corners=False)
np.save(f"{out}/plane.npy", plane[0, 0].numpy().astype(np.float32))
np.save(f"{out}/plane_resized.npy", resized[0, 0].numpy().astype(np.float32))

# Two-class head (the LVSI task) and Grad-CAM of class 1 on layer4.
torch.manual_seed(3)
net.fc = torch.nn.Linear(2048, 2)
net.eval()
torch.jit.script(net).save(f"{out}/resnet50_2class.pt")
activations = {}
net.layer4.register_forward_hook(lambda module, inp, output: activations.__setitem__("a", output))
logits2 = net(x)
a = activations["a"]
grad = torch.autograd.grad(logits2[:, 1].sum(), a)[0]
weights = grad.mean(dim=(2, 3), keepdim=True)
cam = torch.relu((weights * a).sum(dim=1))
np.save(f"{out}/logits2.npy", logits2.detach().numpy().astype(np.float32))
np.save(f"{out}/gradcam.npy", cam.detach().numpy().astype(np.float32))
