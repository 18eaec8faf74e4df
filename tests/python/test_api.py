"""The Python API's behaviour: images and numpy, pyradiomics' extractor
interface, voxel maps, exceptions, logging, the GIL, and the models."""
import collections
import logging
import os
import threading
import time

import numpy
import pytest

import lvsi
from lvsi.radiomics import featureextractor


def make_case(folder, shape=(6, 11, 12), seed=3):
    rng = numpy.random.default_rng(seed)
    array = rng.integers(0, 200, size=shape).astype("float64")
    mask = numpy.zeros(shape, dtype="int32")
    mask[1:5, 2:8, 3:9] = 1
    image = lvsi.Image(array, spacing=(0.8, 0.9, 2.5), origin=(-10.0, 4.0, 7.5))
    labels = lvsi.LabelImage(mask, spacing=(0.8, 0.9, 2.5), origin=(-10.0, 4.0, 7.5))
    lvsi.write_image(image, os.path.join(folder, "image.nrrd"))
    lvsi.write_label_image(labels, os.path.join(folder, "mask.nrrd"))
    return image, labels


def test_image_numpy_round_trip(tmp_path):
    array = numpy.arange(2 * 3 * 4, dtype="float64").reshape(2, 3, 4)
    direction = (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    image = lvsi.Image(array, spacing=(0.5, 0.7, 3.0), origin=(1.0, 2.0, 3.0), direction=direction)
    assert image.size == (4, 3, 2)  # (x, y, z) as SimpleITK
    assert image.GetSpacing() == (0.5, 0.7, 3.0)
    numpy.testing.assert_array_equal(image.array, array)  # (z, y, x)
    view = image.array
    assert not view.flags.owndata  # a view of the image's voxels
    path = str(tmp_path / "x.nii.gz")
    lvsi.write_image(image, path)
    back = lvsi.read_image(path)
    numpy.testing.assert_array_equal(numpy.asarray(back), array)
    assert back.spacing == pytest.approx((0.5, 0.7, 3.0))
    assert back.origin == pytest.approx((1.0, 2.0, 3.0))
    assert back.direction == pytest.approx(direction)
    with pytest.raises(lvsi.InvalidArgument):
        lvsi.Image(numpy.zeros(5))
    with pytest.raises(ValueError):  # lvsi.InvalidArgument is a ValueError
        lvsi.Image(numpy.zeros((2, 2, 2)), spacing=(0.0, 1.0, 1.0))


def test_errors_are_typed_and_name_the_file(tmp_path):
    missing = str(tmp_path / "none.nrrd")
    with pytest.raises(FileNotFoundError) as info:
        lvsi.read_image(missing)
    assert isinstance(info.value, lvsi.MissingFileError) and isinstance(info.value, lvsi.IoError)
    assert missing in str(info.value)
    garbage = tmp_path / "bad.nrrd"
    garbage.write_text("not an image\n")
    with pytest.raises(lvsi.FormatError) as info:
        lvsi.read_image(str(garbage))
    assert isinstance(info.value, OSError) and str(garbage) in str(info.value)
    make_case(str(tmp_path))
    with pytest.raises(lvsi.DataError):
        featureextractor.RadiomicsFeatureExtractor(label=7).execute(str(tmp_path / "image.nrrd"),
                                                                    str(tmp_path / "mask.nrrd"))
    with pytest.raises(lvsi.InvalidArgument) as info:
        featureextractor.RadiomicsFeatureExtractor(binWidht=5).execute(str(tmp_path / "image.nrrd"),
                                                                       str(tmp_path / "mask.nrrd"))
    assert "binWidht" in str(info.value)
    assert issubclass(lvsi.Error, Exception)


def test_execute_follows_pyradiomics(tmp_path):
    image, labels = make_case(str(tmp_path))
    extractor = featureextractor.RadiomicsFeatureExtractor(binWidth=10)
    assert extractor.settings["binWidth"] == 10 and extractor.enabledImagetypes == {"Original": {}}
    assert list(extractor.enabledFeatures) == ["firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape",
                                               "shape2D"]
    from_files = extractor.execute(str(tmp_path / "image.nrrd"), str(tmp_path / "mask.nrrd"))
    assert isinstance(from_files, collections.OrderedDict)
    names = list(from_files)
    first_feature = next(i for i, n in enumerate(names) if not n.startswith("diagnostics_"))
    assert all(n.startswith("diagnostics_") for n in names[:first_feature])
    assert all(not n.startswith("diagnostics_") for n in names[first_feature:])
    assert isinstance(from_files["diagnostics_Configuration_Settings"], dict)
    assert from_files["diagnostics_Configuration_Settings"]["binWidth"] == 10
    assert isinstance(from_files["diagnostics_Mask-original_BoundingBox"], tuple)
    assert isinstance(from_files["diagnostics_Mask-original_VoxelNum"], int)
    assert isinstance(from_files["diagnostics_Image-original_Mean"], numpy.float64)
    assert isinstance(from_files["diagnostics_Image-original_Hash"], str)
    value = from_files["original_glcm_Contrast"]
    assert isinstance(value, numpy.ndarray) and value.shape == () and value.dtype == numpy.float64
    # The same numbers from lvsi.Image objects (the image stored as float64,
    # so only the Hash and the stored type may differ).
    from_objects = extractor.execute(image, labels)
    for name in names[first_feature:]:
        assert float(from_objects[name]) == pytest.approx(float(from_files[name]), rel=1e-12, abs=1e-12), name
    # Enabling as pyradiomics does.
    extractor.disableAllFeatures()
    extractor.enableFeaturesByName(firstorder=["Mean", "Median"])
    extractor.enableImageTypeByName("LoG", customArgs={"sigma": [1.0]})
    got = [n for n in extractor.execute(image, labels) if not n.startswith("diagnostics_")]
    assert got == ["original_firstorder_Mean", "original_firstorder_Median", "log-sigma-1-0-mm-3D_firstorder_Mean",
                   "log-sigma-1-0-mm-3D_firstorder_Median"]
    with pytest.raises(lvsi.InvalidArgument):
        extractor.enableFeatureClassByName("glcmm")
    with pytest.raises(ValueError):
        extractor.execute(numpy.zeros((3, 3, 3)), labels)  # no geometry


def simpleitk_module(monkeypatch):
    """SimpleITK when it is installed; otherwise a stand-in with the part of
    SimpleITK's interface lvsi uses (Debian 12 has no SimpleITK): images with
    GetSpacing/GetOrigin/GetDirection/GetPixelIDValue and the module's
    GetArrayFromImage, which returns (z, y, x) arrays (vector images: a last
    axis of components)."""
    try:
        import SimpleITK
        return SimpleITK
    except ImportError:
        pass
    import types

    class StandInImage(object):
        def __init__(self, array):
            self._array = numpy.array(array)
            self._spacing, self._origin = (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)
            self._direction = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)

        def GetSpacing(self):
            return self._spacing

        def SetSpacing(self, spacing):
            self._spacing = tuple(spacing)

        def GetOrigin(self):
            return self._origin

        def SetOrigin(self, origin):
            self._origin = tuple(origin)

        def GetDirection(self):
            return self._direction

        def SetDirection(self, direction):
            self._direction = tuple(direction)

        def GetPixelIDValue(self):
            return 2  # sitkInt16's id; only its presence matters here

    module = types.ModuleType("SimpleITK")
    module.GetImageFromArray = lambda array, isVector=False: StandInImage(array)
    module.GetArrayFromImage = lambda image: image._array.copy()
    monkeypatch.setitem(__import__("sys").modules, "SimpleITK", module)
    return module


def test_simpleitk_images(monkeypatch, pyradiomics_dir):
    sitk = simpleitk_module(monkeypatch)
    image_path = os.path.join(pyradiomics_dir, "breast1_image.nrrd")
    mask_path = os.path.join(pyradiomics_dir, "breast1_label.nrrd")
    image, labels = lvsi.read_image(image_path), lvsi.read_label_image(mask_path)

    def to_sitk(volume, dtype):
        converted = sitk.GetImageFromArray(volume.array.astype(dtype))
        converted.SetSpacing(volume.spacing)
        converted.SetOrigin(volume.origin)
        converted.SetDirection(volume.direction)
        return converted

    extractor = featureextractor.RadiomicsFeatureExtractor(binWidth=25)
    extractor.enableImageTypeByName("Square")  # stored in the image's type, as pyradiomics does
    from_files = extractor.execute(image_path, mask_path)
    from_sitk = extractor.execute(to_sitk(image, image.pixel_type), to_sitk(labels, "uint8"))
    features = [n for n in from_files if not n.startswith("diagnostics_")]
    assert features and [n for n in from_sitk if not n.startswith("diagnostics_")] == features
    for name in features:
        assert float(from_sitk[name]) == float(from_files[name]), name
    assert from_sitk["diagnostics_Image-original_Hash"] == from_files["diagnostics_Image-original_Hash"]
    # A vector mask (one component per segment): label_channel picks one.
    two = numpy.stack([numpy.zeros_like(labels.array), labels.array], axis=-1).astype("uint8")
    vector_mask = sitk.GetImageFromArray(two, isVector=True)
    vector_mask.SetSpacing(labels.spacing)
    vector_mask.SetOrigin(labels.origin)
    vector_mask.SetDirection(labels.direction)
    from_vector = extractor.execute(to_sitk(image, image.pixel_type), vector_mask, label_channel=1)
    for name in features:
        assert float(from_vector[name]) == float(from_files[name]), name


def test_parameter_file_and_dict_agree(tmp_path):
    make_case(str(tmp_path))
    params = tmp_path / "p.yaml"
    params.write_text("imageType:\n  Original: {}\n  Square: {}\nfeatureClass:\n  glrlm:\n"
                      "setting:\n  binWidth: 15\n  normalize: true\n")
    a = featureextractor.RadiomicsFeatureExtractor(str(params))
    b = featureextractor.RadiomicsFeatureExtractor({"imageType": {"Original": {}, "Square": {}},
                                                    "featureClass": {"glrlm": None},
                                                    "setting": {"binWidth": 15, "normalize": True}})
    c = featureextractor.RadiomicsFeatureExtractor()
    c.loadJSONParams('{"imageType": {"Original": {}, "Square": {}}, "featureClass": {"glrlm": []},'
                     ' "setting": {"binWidth": 15, "normalize": true}}')
    image, mask = str(tmp_path / "image.nrrd"), str(tmp_path / "mask.nrrd")
    ra, rb, rc = a.execute(image, mask), b.execute(image, mask), c.execute(image, mask)
    assert list(ra) == list(rb) == list(rc)
    for name in ra:
        if not name.startswith("diagnostics_"):
            assert float(ra[name]) == float(rb[name]) == float(rc[name])
    with pytest.raises(lvsi.InvalidArgument):
        featureextractor.RadiomicsFeatureExtractor({"setting": {"binWidth": "wide"}})


def test_voxel_based_maps(tmp_path):
    image, labels = make_case(str(tmp_path))
    extractor = featureextractor.RadiomicsFeatureExtractor(kernelRadius=1, initValue=-1)
    extractor.disableAllFeatures()
    extractor.enableFeaturesByName(firstorder=["Mean"])
    result = extractor.execute(image, labels, voxelBased=True)
    mean = result["original_firstorder_Mean"]
    assert isinstance(mean, lvsi.Image)
    # The crop: the ROI box grown by kernelRadius.
    assert mean.size == (8, 8, 6)
    array = mean.array
    z, y, x = 2, 4, 5  # an ROI voxel, in the crop (offsets 1, 1, 2 from the image)
    inside = image.array[z - 1 + 0:z + 2, y + 1 - 1:y + 1 + 2, x + 2 - 1:x + 2 + 2]
    kernel_mask = labels.array[z - 1:z + 2, y:y + 3, x + 1:x + 4] == 1
    assert array[z, y, x] == pytest.approx(inside[kernel_mask].mean())
    assert array[0, 0, 0] == -1


def test_logging_goes_to_python_logging(tmp_path, caplog):
    make_case(str(tmp_path))
    extractor = featureextractor.RadiomicsFeatureExtractor()
    with caplog.at_level(logging.DEBUG, logger="lvsi"):
        extractor.execute(str(tmp_path / "image.nrrd"), str(tmp_path / "mask.nrrd"))
    assert any(r.name == "lvsi" and r.levelno == logging.DEBUG for r in caplog.records)


def test_the_gil_is_released(pyradiomics_dir):
    image = os.path.join(pyradiomics_dir, "brain1_image.nrrd")
    mask = os.path.join(pyradiomics_dir, "brain1_label.nrrd")
    extractor = featureextractor.RadiomicsFeatureExtractor(binWidth=25)
    extractor.threads = 1
    extractor.execute(image, mask)  # warm up (files in cache)

    def run(n):
        for _ in range(n):
            extractor.execute(image, mask)

    t0 = time.perf_counter()
    run(4)
    one = time.perf_counter() - t0
    threads = [threading.Thread(target=run, args=(2,)) for _ in range(2)]
    t0, c0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    two, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("4 extractions: one thread %.3f s, two Python threads %.3f s (%.2f cores busy)" % (one, two, cpu / two))
    if (os.cpu_count() or 1) >= 2:
        # Faster than one thread, or (on a machine busy with other work)
        # at least both threads computing at once.
        assert two < 0.85 * one or cpu > 1.3 * two
    # Python code runs while lvsi computes: a counter in this thread
    # advances during an extraction in another.
    count = 0
    worker = threading.Thread(target=run, args=(2,))
    worker.start()
    while worker.is_alive():
        count += 1
    worker.join()
    print("Python loop iterations during 2 extractions in another thread: %d" % count)
    assert count > 10000


def test_models_have_scikit_learn_names(tmp_path):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] + 0.3 * rng.normal(size=80) > 0).astype(int).tolist()
    svc = lvsi.models.SVC(C=1.0).fit(x, y)
    p = svc.predict_proba(x)
    assert p.shape == (80, 2) and numpy.allclose(p.sum(axis=1), 1)
    d = svc.decision_function(x)
    order = numpy.argsort(d)
    assert numpy.all(numpy.diff(p[order, 1]) >= -1e-12)  # probabilities increase with the decision value
    assert lvsi.stats.auc(p[:, 1].tolist(), y)["auc"] > 0.9
    path = str(tmp_path / "svm.json")
    svc.save(path)
    numpy.testing.assert_allclose(lvsi.models.SVC.load(path).predict_proba(x), p)
    logistic = lvsi.models.LogisticRegression().fit(x, y)
    assert logistic.coef_.shape == (3,) and logistic.coef_[0] > 0
    assert list(logistic.predict(x[:2])) == [int(v > 0.5) for v in logistic.predict_proba(x[:2])[:, 1]]
    with pytest.raises(lvsi.InvalidArgument):
        lvsi.models.SVC().fit(x, [0] * 80)


def test_ctrl_c_interrupts_a_long_extraction(pyradiomics_dir):
    import signal
    image = os.path.join(pyradiomics_dir, "brain1_image.nrrd")
    mask = os.path.join(pyradiomics_dir, "brain1_label.nrrd")
    params = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "params", "t2w.yaml")
    extractor = featureextractor.RadiomicsFeatureExtractor(params)
    extractor.threads = 1
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        extractor.execute(image, mask, voxelBased=True)  # about 3 s uninterrupted
    elapsed = time.perf_counter() - t0
    timer.join()
    print("Ctrl-C after 0.3 s: back in Python after %.2f s" % elapsed)
    assert elapsed < 1.0
    # lvsi works again afterwards.
    small = featureextractor.RadiomicsFeatureExtractor()
    assert "original_firstorder_Mean" in small.execute(image, mask)
    # Python's choices for SIGINT stand: ignored, the call runs to its end;
    # a script's own handler runs once, after lvsi has stopped.  The ignored
    # signal comes 0.3 s into the same long call (a short one can end
    # before its timer on a fast machine: 0.04 s was seen).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sent = []
        timer = threading.Timer(0.3, lambda: (sent.append(time.perf_counter()), os.kill(os.getpid(), signal.SIGINT)))
        timer.start()
        maps = extractor.execute(image, mask, voxelBased=True)
        returned = time.perf_counter()
        timer.join()
        assert sent and sent[0] < returned  # the signal came during the call
        assert isinstance(maps["log-sigma-3-0-mm-3D_firstorder_Mean"], lvsi.Image)
        calls = []

        def handler(signum, frame):
            calls.append(signum)
            raise RuntimeError("the script's own handler")

        signal.signal(signal.SIGINT, handler)
        timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(RuntimeError, match="own handler"):
            extractor.execute(image, mask, voxelBased=True)
        timer.join()
        assert calls == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_selection_steps():
    rng = numpy.random.default_rng(5)
    y = [i % 2 for i in range(60)]
    informative = numpy.array(y) * 1.5 + rng.normal(size=60)
    x = numpy.column_stack([informative, rng.normal(size=60), rng.normal(size=60)])
    mw = lvsi.selection.mann_whitney_filter(x, y, ["a", "b", "c"], alpha=0.05)
    assert "a" in mw["kept"] and set(mw["p_values"]) == {"a", "b", "c"}
    pos = [v for v, label in zip(informative, y) if label == 1]
    neg = [v for v, label in zip(informative, y) if label == 0]
    assert mw["p_values"]["a"] == pytest.approx(lvsi.stats.mann_whitney(pos, neg)["p"])
    assert {r["feature"] for r in mw["removed"]} == {"b", "c"} - set(mw["kept"])
    # ICC: a faithful second reader keeps a feature, noise drops it.
    reader2 = numpy.column_stack([x[:, 0] + 0.01 * rng.normal(size=60), rng.normal(size=60), x[:, 2]])
    icc = lvsi.selection.icc_filter(x, reader2, ["a", "b", "c"], y)
    assert icc["kept"] == ["a", "c"] and icc["icc"]["b"] < 0.75
    path = lvsi.selection.lasso_path(x, y, nlambda=20)
    assert path["beta"].shape == (3, len(path["lambda"]))
    assert numpy.all(numpy.diff(path["lambda"]) < 0) and numpy.count_nonzero(path["beta"][:, 0]) == 0
    assert path["beta"][0, -1] > 0  # the informative feature enters with a positive sign
