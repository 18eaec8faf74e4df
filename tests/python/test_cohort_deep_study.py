"""The cohort, deep-feature and study layers through Python: the synthetic
cohort extracted by lvsi.radiomics.extract_cohort equals lvsi_extract_cohort
value for value; ResNet-50 features equal torchvision's on the same
weights; the study runs and its report reads back."""
import csv
import os
import shutil
import subprocess

import numpy
import pytest

import lvsi
from lvsi.radiomics import featureextractor

BIN = os.environ.get("LVSI_BIN_DIR", "")


def program(name):
    path = os.path.join(BIN, name)
    if not os.path.isfile(path):
        pytest.skip("%s not built" % name)
    return path


def test_tables_round_trip(tmp_path):
    values = numpy.array([[1.5, 2.0], [float("nan"), -3.25]])
    lvsi.write_table(["p1", "p2"], ["a", "b"], values, str(tmp_path / "t.csv"))
    table = lvsi.read_table(str(tmp_path / "t.csv"))
    assert table["ids"] == ["p1", "p2"] and table["columns"] == ["a", "b"]
    numpy.testing.assert_array_equal(table["values"], values)


def test_extract_cohort_equals_the_command_line(tmp_path):
    demo = program("lvsi_cohort_demo")
    subprocess.run([demo, "--generate-only", "--patients", "6", "-o", str(tmp_path / "cohort")], check=True,
                   stdout=subprocess.DEVNULL)
    manifest = str(tmp_path / "cohort" / "cohort.csv")
    m = lvsi.read_manifest(manifest)
    assert len(m["cases"]) == 6 and m["sequences"]
    params = {s: {"featureClass": {"firstorder": None, "glcm": None}, "setting": {"binWidth": 25}}
              for s in m["sequences"]}
    calls = []
    report = lvsi.radiomics.extract_cohort(manifest, params, str(tmp_path / "py"), threads=2,
                                           progress=lambda done, total, case: calls.append((done, total)))
    assert report["extracted"] == 6 and not report["errors"]
    assert calls and calls[-1] == (6, 6)
    # The same with lvsi_extract_cohort and the same parameter files.
    args = [program("lvsi_extract_cohort"), "--manifest", manifest, "-o", str(tmp_path / "cli")]
    for s in m["sequences"]:
        path = tmp_path / (s + ".yaml")
        path.write_text("featureClass:\n  firstorder:\n  glcm:\nsetting:\n  binWidth: 25\n")
        args += ["--param", "%s=%s" % (s, path)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    cli = lvsi.read_table(str(tmp_path / "cli" / "features_reader1.csv"))
    assert cli["ids"] == report["features"]["ids"] and cli["columns"] == report["features"]["columns"]
    numpy.testing.assert_array_equal(cli["values"], report["features"]["values"])
    # A second run reuses every case.
    again = lvsi.radiomics.extract_cohort(manifest, params, str(tmp_path / "py"), progress=lambda *a: None)
    assert again["reused"] == 6 and again["extracted"] == 0


@pytest.mark.skipif(not lvsi.with_deepfeatures, reason="lvsi built without the deepfeatures module")
def test_resnet_features_equal_torchvision(tmp_path):
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    reference = torchvision.models.resnet50(weights=None).eval()
    path = str(tmp_path / "resnet50.pt")
    torch.jit.script(reference).save(path)
    net = lvsi.deepfeatures.ResNet50(num_classes=1000)
    net.load_torchvision_weights(path)
    assert net.pretrained
    batch = numpy.random.default_rng(1).normal(size=(2, 3, 96, 96)).astype("float32")
    reference.fc = torch.nn.Identity()
    with torch.no_grad():
        want = reference(torch.from_numpy(batch)).numpy()
    got = net.features(batch)
    assert got.shape == (2, 2048)
    numpy.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    maps = net.grad_cam(batch, target_class=3)
    assert len(maps) == 2 and maps[0].shape == (3, 3) and 0 <= maps[0].min() and maps[0].max() <= 1
    with pytest.raises(lvsi.InvalidArgument):
        net.features(numpy.zeros((2, 1, 96, 96), dtype="float32"))


def test_study_runs_and_reports(tmp_path):
    os.environ.setdefault("LVSI_STUDY", os.path.join(BIN, "lvsi_study"))
    if not os.path.isfile(os.environ["LVSI_STUDY"]):
        pytest.skip("lvsi_study not built")
    with pytest.raises(lvsi.Error) as info:
        lvsi.study.run(str(tmp_path / "small"), demo=True, demo_patients=20)
    assert "too few patients" in str(info.value)
    report = lvsi.study.run(str(tmp_path / "demo"), demo=True, demo_patients=40, jobs=2)
    assert set(report["models"]) == {"rad", "dl", "rdl"}
    auc = report["models"]["rdl"]["validation"]["auc"]
    assert 0 <= auc <= 1
    assert lvsi.study.read_report(str(tmp_path / "demo")) == report


def test_trained_pipeline_of_the_study(tmp_path):
    os.environ.setdefault("LVSI_STUDY", os.path.join(BIN, "lvsi_study"))
    if not os.path.isfile(os.environ["LVSI_STUDY"]):
        pytest.skip("lvsi_study not built")
    out = str(tmp_path / "demo")
    lvsi.study.run(out, demo=True, demo_patients=40, jobs=2)
    pipeline = lvsi.models.TrainedPipeline.load(os.path.join(out, "models", "rad.lvsi"))
    assert pipeline.name and set(pipeline.selected_features) <= set(pipeline.input_features)
    x = numpy.random.default_rng(2).normal(size=(12, len(pipeline.input_features)))
    p = numpy.array(pipeline.predict_proba(x, pipeline.input_features))
    d = numpy.array(pipeline.decision_function(x, pipeline.input_features))
    assert numpy.all((p >= 0) & (p <= 1))
    order = numpy.argsort(d)
    assert numpy.all(numpy.diff(p[order]) >= -1e-12)  # probabilities increase with the decision value
    assert list(pipeline.predict(x, pipeline.input_features)) == [int(v > pipeline.threshold) for v in p]
    with pytest.raises(lvsi.InvalidArgument):
        pipeline.predict_proba(x[:, :-1], pipeline.input_features[:-1])
