"""pyradiomics' baselines through the Python API: every baseline column of
reference/pyradiomics/baseline re-run with that column's settings through
lvsi.radiomics.featureextractor, every original_* value compared (the
discovery rules of tests/radiomics/pyradiomics_reference_test.cpp)."""
import ast
import csv
import math
import os

import numpy

import lvsi
from lvsi.radiomics import featureextractor

MESH = {"original_shape_" + f for f in ("MeshVolume", "SurfaceArea", "SurfaceVolumeRatio", "Sphericity",
                                         "Compactness1", "Compactness2", "SphericalDisproportion")}


def read_columns(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    return header, {row[0]: row for row in rows}


def older_than_21(version):
    return version.startswith(("0.", "1.", "2.0"))


def slice_labels(label_path, voxel_num, bounding_box):
    """The label map reduced to the axial slice matching a 2-D column's
    voxel count and bounding box (pyradiomics' <case>_2D)."""
    box = ast.literal_eval(bounding_box)
    if len(box) != 6 or box[5] != 1:
        return None
    labels = lvsi.read_label_image(label_path)
    array = labels.array
    for k in range(array.shape[0]):
        ys, xs = numpy.nonzero(array[k] == 1)
        if len(xs) != int(voxel_num) or len(xs) == 0:
            continue
        if (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) != tuple(box[:2]) + tuple(box[3:5]):
            continue
        reduced = numpy.zeros_like(array)
        reduced[k] = array[k]
        return lvsi.LabelImage(reduced, spacing=labels.spacing, origin=labels.origin, direction=labels.direction)
    return None


def test_every_baseline_value_matches(pyradiomics_dir):
    baseline = os.path.join(pyradiomics_dir, "baseline")
    compared = within = columns = 0
    for file in sorted(os.listdir(baseline)):
        if not (file.startswith("baseline_") and file.endswith(".csv")):
            continue
        cls = file[len("baseline_"):-len(".csv")]
        header, by_name = read_columns(os.path.join(baseline, file))
        for col in range(1, len(header)):
            case = by_name["diagnostics_Configuration_TestCase"][col]
            image = os.path.join(pyradiomics_dir, case + "_image.nrrd")
            mask = os.path.join(pyradiomics_dir, case + "_label.nrrd")
            if case.endswith("_2D") and not os.path.exists(image):
                base = case[:-3]
                image = os.path.join(pyradiomics_dir, base + "_image.nrrd")
                mask = slice_labels(os.path.join(pyradiomics_dir, base + "_label.nrrd"),
                                    by_name["diagnostics_Mask-original_VoxelNum"][col],
                                    by_name["diagnostics_Mask-original_BoundingBox"][col])
                if mask is None:
                    continue
            elif not os.path.exists(image):
                continue
            settings = ast.literal_eval(by_name["diagnostics_Configuration_Settings"][col])
            if cls == "shape":
                settings.pop("resegmentRange", None)  # as pyradiomics' tests do
            extractor = featureextractor.RadiomicsFeatureExtractor(**settings)
            extractor.disableAllFeatures()
            extractor.enableFeatureClassByName(cls)
            result = extractor.execute(image, mask)
            interpolates = settings.get("resampledPixelSpacing") is not None and settings.get("interpolator")
            tolerance = 1e-4 if interpolates else 1e-6
            version = by_name.get("diagnostics_Versions_PyRadiomics", [""] * len(header))[col]
            stale_mesh = cls == "shape" and older_than_21(version) and not interpolates
            newer = {}
            if stale_mesh:
                path = os.path.join(pyradiomics_dir, "filtered", case + ".csv")
                if os.path.exists(path):
                    with open(path, newline="") as f:
                        newer = {row[0]: row[1] for row in csv.reader(f)}
            expected_names = {n for n, row in by_name.items() if n.startswith("original_") and row[col] != ""}
            got_names = {n for n in result if n.startswith("original_")}
            assert got_names == expected_names, (header[col], cls)
            columns += 1
            for name in sorted(expected_names):
                text = by_name[name][col]
                if stale_mesh and name in MESH:
                    if name not in newer:
                        continue
                    text = newer[name]
                expected = float(text)
                got = float(result[name])
                assert isinstance(result[name], numpy.ndarray) and result[name].shape == ()
                compared += 1
                scale = max(abs(expected), abs(got))
                if (math.isnan(expected) and math.isnan(got)) or abs(got - expected) < 1e-12 or \
                        abs(got - expected) <= tolerance * scale:
                    within += 1
                else:
                    raise AssertionError("%s %s: lvsi %r, pyradiomics %r" % (header[col], name, got, expected))
    print("pyradiomics baselines through Python: %d values in %d columns, %d within tolerance" %
          (compared, columns, within))
    assert compared > 1000 and compared == within


def one_slice(labels, k):
    """Slice k of a label map as a one-voxel-thick map placed where the
    slice lies (pyradiomics' 2-D test cases)."""
    d = numpy.array(labels.direction).reshape(3, 3)
    origin = numpy.array(labels.origin) + d @ (numpy.array(labels.spacing) * numpy.array([0.0, 0.0, float(k)]))
    return lvsi.LabelImage(labels.array[k:k + 1].copy(), spacing=labels.spacing, origin=tuple(origin),
                           direction=labels.direction)


def numbers(value):
    if isinstance(value, (int, float, numpy.floating)) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
        return [float(v) for v in value]
    return None


def test_every_baseline_diagnostic_matches(pyradiomics_dir):
    """Every diagnostics_* row that does not name versions, with its
    column's settings, in Python's types: settings key by key, hashes and
    texts equal, numbers to 1e-12 (1e-6 after resampling)."""
    baseline = os.path.join(pyradiomics_dir, "baseline")
    compared = 0
    for file in sorted(os.listdir(baseline)):
        if not (file.startswith("baseline_") and file.endswith(".csv")):
            continue
        header, by_name = read_columns(os.path.join(baseline, file))
        for col in range(1, len(header)):
            case = by_name["diagnostics_Configuration_TestCase"][col]
            two_d = case.endswith("_2D")
            base = case[:-3] if two_d else case
            image_path = os.path.join(pyradiomics_dir, base + "_image.nrrd")
            mask_path = os.path.join(pyradiomics_dir, base + "_label.nrrd")
            if not os.path.exists(image_path):
                continue
            settings = ast.literal_eval(by_name["diagnostics_Configuration_Settings"][col])
            extractor = featureextractor.RadiomicsFeatureExtractor(**settings)
            extractor.disableAllFeatures()
            extractor.enableFeaturesByName(firstorder=["Mean"])
            mask = mask_path
            image = image_path
            if two_d:
                labels = lvsi.read_label_image(mask_path)
                counts = (labels.array == settings.get("label", 1)).sum(axis=(1, 2))
                mask = one_slice(labels, int(numpy.argmax(counts)))
            result = extractor.execute(image, mask)
            resampled = settings.get("resampledPixelSpacing") is not None
            for name, row in by_name.items():
                text = row[col]
                if not name.startswith("diagnostics_") or text == "" or name.startswith("diagnostics_Versions_") \
                        or name == "diagnostics_Configuration_TestCase":
                    continue
                assert name in result, "%s/%s: no %s" % (file, header[col], name)
                ours = result[name]
                compared += 1
                if name == "diagnostics_Configuration_Settings":
                    expected = ast.literal_eval(text)
                    for key, value in expected.items():
                        assert key in ours and ours[key] == value, (file, header[col], key, ours.get(key), value)
                    continue
                try:
                    expected = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    expected = text
                want, got = numbers(expected), numbers(ours)
                if want is None:
                    assert ours == expected, (file, header[col], name, ours, expected)
                    continue
                assert got is not None and len(got) == len(want), (file, header[col], name, ours, expected)
                tolerance = 1e-6 if resampled and "interpolated" in name else 1e-12
                for a, b in zip(got, want):
                    assert abs(a - b) <= tolerance * max(1.0, abs(b)), (file, header[col], name, ours, expected)
    print("pyradiomics diagnostics through Python: %d compared" % compared)
    assert compared > 1000


def test_shared_parameter_file_gives_pyradiomics_keys_in_order(pyradiomics_dir):
    """The filtered reference's parameter file: the features of execute()
    are pyradiomics' names in pyradiomics' order, after the diagnostics."""
    folder = os.path.join(pyradiomics_dir, "filtered")
    extractor = featureextractor.RadiomicsFeatureExtractor(os.path.join(folder, "params.yaml"))
    for case in ("brain1", "breast1"):
        with open(os.path.join(folder, case + ".csv"), newline="") as f:
            expected = [row[0] for row in list(csv.reader(f))[1:]]
        result = extractor.execute(os.path.join(pyradiomics_dir, case + "_image.nrrd"),
                                   os.path.join(pyradiomics_dir, case + "_label.nrrd"))
        keys = list(result)
        diagnostics = [k for k in keys if k.startswith("diagnostics_")]
        assert keys[:len(diagnostics)] == diagnostics
        assert keys[len(diagnostics):] == expected, case
        # pyradiomics' diagnostics keys: the baselines' (but their test-case
        # column), the versions first in pyradiomics' order.
        _, by_name = read_columns(os.path.join(pyradiomics_dir, "baseline", "baseline_firstorder.csv"))
        pyradiomics_keys = {k for k in by_name if k.startswith("diagnostics_")} - {"diagnostics_Configuration_TestCase"}
        # (the baselines predate pyradiomics 3's Image-original_Dimensionality)
        assert set(diagnostics) - pyradiomics_keys == {"diagnostics_Image-original_Dimensionality"}
        assert pyradiomics_keys <= set(diagnostics)
        assert diagnostics[:5] == ["diagnostics_Versions_" + v for v in
                                   ("PyRadiomics", "Numpy", "SimpleITK", "PyWavelet", "Python")]
