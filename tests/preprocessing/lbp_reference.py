"""Reference values for lvsi's LBP2D / LBP3D filters, from the libraries
pyradiomics calls: scikit-image's local_binary_pattern (LBP2D) and scipy's
map_coordinates, sph_harm and stats.kurtosis (LBP3D), arranged as
pyradiomics' getLBP2DImage / getLBP3DImage document.

usage: lbp_reference.py INPUT.txt DTYPE OUTPUT.txt

INPUT.txt: "nz ny nx", then the image (z, y, x order), then the 0/1 mask.
DTYPE: numpy dtype the image is stored in (pyradiomics keeps the file's).
Writes lines "name v0 v1 ...": LBP2D images (every voxel) for several
settings, and LBP3D values at the mask voxels (numpy.where order).

trimesh is not packaged for Debian, so the icosphere is built here the way
trimesh.creation.icosphere builds it (icosahedron at unit radius, split at
edge midpoints, vertices moved to the sphere).
"""
import sys

import numpy as np
from scipy.ndimage import map_coordinates
from scipy.special import sph_harm
from scipy.stats import kurtosis
from skimage.feature import local_binary_pattern


def read_input(path, dtype):
    tokens = open(path).read().split()
    nz, ny, nx = (int(t) for t in tokens[:3])
    n = nz * ny * nx
    image = np.array([float(t) for t in tokens[3:3 + n]]).reshape(nz, ny, nx).astype(dtype)
    mask = np.array([int(t) for t in tokens[3 + n:3 + 2 * n]]).reshape(nz, ny, nx)
    return image, mask


def lbp2d(image, radius, samples, method, axis):
    arr = image.copy().swapaxes(0, axis)
    for idx in range(arr.shape[0]):
        arr[idx, ...] = local_binary_pattern(arr[idx, ...], P=samples, R=radius, method=method)
    return arr.swapaxes(0, axis)


def icosphere(subdivisions, radius):
    t = (1.0 + 5.0 ** 0.5) / 2.0
    base = np.array([[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
                     [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]])
    verts = list(base / np.sqrt(2.0 + t))
    d2 = ((base[:, None, :] - base[None, :, :]) ** 2).sum(axis=2)
    faces = [(a, b, c) for a in range(12) for b in range(a + 1, 12) for c in range(b + 1, 12)
             if abs(d2[a, b] - 4) < 1e-9 and abs(d2[b, c] - 4) < 1e-9 and abs(d2[a, c] - 4) < 1e-9]
    for _ in range(subdivisions):
        mids = {}

        def mid(a, b):
            key = (min(a, b), max(a, b))
            if key not in mids:
                verts.append((verts[a] + verts[b]) / 2)
                mids[key] = len(verts) - 1
            return mids[key]

        new_faces = []
        for a, b, c in faces:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            new_faces += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = new_faces
        v = np.array(verts)
        norm = np.sqrt((v ** 2).sum(axis=1))
        v = v + v / norm[:, None] * (radius - norm)[:, None]
        verts = list(v)
    return np.array(verts)


def lbp3d(image, mask, levels, radius, subdivisions):
    verts = icosphere(subdivisions, radius)
    where = np.where(mask == 1)
    points = np.array(where).T
    coords = points[None, :, :] + verts[:, None, :]          # (Nv, Np, 3)
    samples = map_coordinates(image, coords.T, order=3)    # (Np, Nv), the image's dtype
    kurt = kurtosis(samples, axis=1)
    bits = (samples >= image[where][:, None]).astype(float)
    theta = np.arccos(verts[:, 2] / radius)
    phi = np.arctan2(verts[:, 1], verts[:, 0])
    out = {}
    for n in range(levels):
        basis = np.stack([sph_harm(m, n, theta, phi) for m in range(-n, n + 1)], axis=1)  # (Nv, 2n+1)
        expansion = (bits @ basis) @ basis.T                                          # (Np, Nv)
        out['lbp-3D-m%d' % (n + 1)] = np.real(np.sqrt((expansion ** 2).sum(axis=1)))
    out['lbp-3D-k'] = kurt
    return out


def main():
    image, mask = read_input(sys.argv[1], sys.argv[2])
    lines = []
    for radius, samples, method in ((1, 8, 'uniform'), (1, 8, 'default'), (1.5, 12, 'ror'),
                                    (2, 8, 'nri_uniform'), (1, 8, 'var')):
        for axis in (0, 1, 2):
            name = 'lbp2d-%s-%d-%s-%d' % (radius, samples, method, axis)
            lines.append((name, lbp2d(image, radius, samples, method, axis).ravel()))
    for levels, radius, subdivisions in ((2, 1, 1), (3, 1.5, 2)):
        for name, values in lbp3d(image, mask, levels, radius, subdivisions).items():
            lines.append(('%s-%d-%s-%d' % (name, levels, radius, subdivisions), values))
    with open(sys.argv[3], 'w') as f:
        for name, values in lines:
            f.write(name + ' ' + ' '.join(repr(float(v)) for v in values) + '\n')


main()
