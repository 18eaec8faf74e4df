#!/usr/bin/env python3
"""From images to a validated model in a few lines of Python, notebook style.

A synthetic cohort (60 patients whose "tumours" differ in texture by
outcome), radiomics through pyradiomics' API on lvsi, LASSO selection with
10-fold cross-validation, an RBF-SVM, and the AUC with its DeLong interval
on a held-out third.  Run it as it is:

    PYTHONPATH=<prefix>/lib/python3.11/dist-packages python3 radiomics_to_model.py --out /tmp/example
"""
import argparse
import os

import numpy

import lvsi
from lvsi.radiomics import featureextractor

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default="lvsi_example", help="folder for the synthetic images")
parser.add_argument("--patients", type=int, default=60)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

# %% 1. A synthetic cohort: positives have a coarser, brighter texture.
rng = numpy.random.default_rng(2026)
labels = [int(i % 2) for i in range(args.patients)]
cases = []
for i, label in enumerate(labels):
    noise = rng.normal(size=(12, 40, 40))
    if label:  # coarse texture: smoothed noise, brighter
        noise = (noise + numpy.roll(noise, 1, axis=1) + numpy.roll(noise, 1, axis=2)) / 1.5 + 0.4
    image = lvsi.Image(300 + 60 * noise, spacing=(0.8, 0.8, 3.0))
    mask = numpy.zeros((12, 40, 40), dtype="int32")
    mask[3:9, 10:30, 12:28] = 1
    paths = (os.path.join(args.out, "p%02d_image.nrrd" % i), os.path.join(args.out, "p%02d_mask.nrrd" % i))
    lvsi.write_image(image, paths[0])
    lvsi.write_label_image(lvsi.LabelImage(mask, spacing=(0.8, 0.8, 3.0)), paths[1])
    cases.append(paths)

# %% 2. Radiomics exactly as with pyradiomics (only the import differs).
extractor = featureextractor.RadiomicsFeatureExtractor(binWidth=20)
extractor.disableAllFeatures()
extractor.enableFeatureClassByName("firstorder")
extractor.enableFeatureClassByName("glcm")
rows = []
for image, mask in cases:
    result = extractor.execute(image, mask)
    features = {k: float(v) for k, v in result.items() if not k.startswith("diagnostics_")}
    rows.append(features)
names = sorted(rows[0])
x = numpy.array([[r[n] for n in names] for r in rows])
print("%d patients x %d features" % x.shape)

# %% 3. A stratified 7:3 split, z-scores from the training third.
train = numpy.array([i % 10 < 7 for i in range(args.patients)])
mean, sd = x[train].mean(axis=0), x[train].std(axis=0)
keep = sd > 0
z = (x[:, keep] - mean[keep]) / sd[keep]
kept_names = [n for n, k in zip(names, keep) if k]
y = numpy.array(labels)

# %% 4. LASSO logistic regression, 10-fold CV, the one-standard-error rule.
cv = lvsi.selection.lasso_cv(z[train], y[train].tolist(), folds=10, seed=1)
selected = numpy.nonzero(cv["beta"][:, cv["index_1se"]])[0]
if len(selected) == 0:
    selected = numpy.nonzero(cv["beta"][:, cv["index_min"]])[0]
print("lambda.1se %.4f keeps %d features: %s" % (cv["lambda_1se"], len(selected),
                                                ", ".join(kept_names[i] for i in selected[:5])))

# %% 5. An RBF-SVM on the selected features; AUC with DeLong's 95% CI.
svm = lvsi.models.SVC(C=1.0).fit(z[train][:, selected], y[train].tolist())
p = svm.predict_proba(z[~train][:, selected])[:, 1]
auc = lvsi.stats.auc(p.tolist(), y[~train].tolist())
youden = lvsi.stats.youden(p.tolist(), y[~train].tolist())
print("validation AUC %.3f (95%% CI %.3f-%.3f), sensitivity %.2f, specificity %.2f at %.3f" %
      (auc["auc"], auc["ci_low"], auc["ci_high"], youden["sensitivity"], youden["specificity"], youden["threshold"]))
assert auc["auc"] > 0.8, "the synthetic texture difference should be found"
