"""The R statistics fixtures (pROC, stats, psych, glmnet) through the
Python API, with the tolerances of tests/stats/stats_reference_test.cpp."""
import csv
import math
import os

import numpy

import lvsi


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


class Checker:
    def __init__(self, expected):
        self.expected = expected
        self.compared = 0

    def __call__(self, name, got, rel=1e-8):
        want = self.expected[name]
        self.compared += 1
        assert abs(got - want) <= rel * max(abs(want), 1e-300) or abs(got - want) < 1e-14, \
            "%s: lvsi %r, R %r" % (name, got, want)


def test_r_statistics(stats_dir):
    header, rows = read(os.path.join(stats_dir, "cases.csv"))
    column = {h: [r[i] for r in rows] for i, h in enumerate(header)}
    labels = [int(v) for v in column["label"]]
    expected = {}
    for name, value in read(os.path.join(stats_dir, "expected.csv"))[1]:
        try:
            expected[name] = float(value)
        except ValueError:
            expected[name] = value
    check = Checker(expected)
    models = [h for h in header if h + ".auc" in expected]
    assert models
    for m in models:
        s = [float(v) for v in column[m]]
        auc = lvsi.stats.auc(s, labels)
        check(m + ".auc", auc["auc"])
        check(m + ".auc_ci_low", auc["ci_low"])
        check(m + ".auc_ci_high", auc["ci_high"])
        y = lvsi.stats.youden(s, labels)
        for key in ("threshold", "sensitivity", "specificity", "accuracy", "ppv", "npv"):
            check(m + ".youden_" + key, y[key])
        hl = lvsi.stats.hosmer_lemeshow(s, labels)
        check(m + ".hl_statistic", hl["statistic"])
        check(m + ".hl_df", hl["df"])
        check(m + ".hl_p", hl["p"], 1e-6)
        check(m + ".brier", lvsi.stats.brier_score(s, labels))
        thresholds = sorted(float(n.split(".net_benefit_")[1]) for n in expected if n.startswith(m + ".net_benefit_"))
        nb = lvsi.stats.net_benefit(s, labels, thresholds)
        for t, model, _ in zip(thresholds, nb["model"], nb["treat_all"]):
            check("%s.net_benefit_%s" % (m, format(t, "g")), model)
    thresholds = sorted(float(n.split(".net_benefit_")[1]) for n in expected if n.startswith("treat_all.net_benefit_"))
    treat_all = lvsi.stats.net_benefit([0.5] * len(labels), labels, thresholds)["treat_all"]
    for t, value in zip(thresholds, treat_all):
        check("treat_all.net_benefit_%s" % format(t, "g"), value)
    pairs = [n[len("delong."):-len(".z")].split("_vs_") for n in expected if n.startswith("delong.") and n.endswith(".z")]
    ps = []
    for a, b in pairs:
        t = lvsi.stats.delong_test([float(v) for v in column[a]], [float(v) for v in column[b]], labels)
        check("delong.%s_vs_%s.z" % (a, b), t["z"])
        check("delong.%s_vs_%s.p" % (a, b), t["p"])
        ps.append(t["p"])
    for (a, b), p in zip(pairs, lvsi.stats.bonferroni(ps)):
        check("delong.%s_vs_%s.p_bonferroni" % (a, b), p)
    age = [float(v) for v in column["age"]]
    age0 = [a for a, y in zip(age, labels) if y == 0]
    age1 = [a for a, y in zip(age, labels) if y == 1]
    check("age.ttest_student_p", lvsi.stats.t_test(age0, age1)["p"])
    check("age.ttest_welch_p", lvsi.stats.t_test(age0, age1, welch=True)["p"])
    check("age.mannwhitney_p", lvsi.stats.mann_whitney(age0, age1)["p"])

    def table(var):
        counts = {}
        for level, y in zip(column[var], labels):
            counts.setdefault(level, [0, 0])[y] += 1
        return [counts[k] for k in sorted(counts)]

    stage = table("stage")
    check("stage.chisq_yates_p", lvsi.stats.chi_square([[float(x) for x in r] for r in stage], correct=True)["p"])
    check("stage.chisq_p", lvsi.stats.chi_square([[float(x) for x in r] for r in stage], correct=False)["p"])
    check("stage.fisher_p", lvsi.stats.fisher_exact(stage)["p"])
    check("histology.fisher_p", lvsi.stats.fisher_exact(table("histology"))["p"])
    _, icc_rows = read(os.path.join(stats_dir, "icc_readers.csv"))
    ratings = {}
    for feature, _, a, b in icc_rows:
        ratings.setdefault(feature, []).append([float(a), float(b)])
    for feature, x in ratings.items():
        r = lvsi.stats.icc(x)
        for form in ("1", "2", "3"):
            check("icc.%s.ICC%s" % (feature, form), r["icc" + form])
    # LASSO with R's folds: lambda.min and lambda.1se, and the glm fit.
    header, rows = read(os.path.join(stats_dir, "lasso_data.csv"))
    features = [h for h in header if h not in ("id", "label", "fold")]
    x = numpy.array([[float(r[header.index(f)]) for f in features] for r in rows])
    y = [int(r[header.index("label")]) for r in rows]
    folds = [int(r[header.index("fold")]) for r in rows]
    cv = lvsi.selection.lasso_cv(x, y, fold_ids=folds)
    check("lasso.cv.lambda_min", cv["lambda_min"], 1e-6)
    check("lasso.cv.lambda_1se", cv["lambda_1se"], 1e-6)
    selected = [f for f, b in zip(features, cv["beta"][:, cv["index_1se"]]) if b != 0]
    assert ";".join(selected) == expected["lasso.cv.selected_1se"]
    glm_features = [n[len("glm."):] for n in expected if n.startswith("glm.") and n[len("glm."):] in features]
    model = lvsi.models.LogisticRegression().fit(x[:, [features.index(f) for f in glm_features]], y)
    check("glm.intercept", model.intercept_, 1e-6)
    check("glm.deviance", model.deviance_, 1e-6)
    for f, b in zip(glm_features, model.coef_):
        check("glm." + f, b, 1e-6)
    print("R values compared through Python: %d" % check.compared)
    assert check.compared > 80
