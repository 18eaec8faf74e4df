"""pyradiomics' ``featureextractor`` module on lvsi's C++ core.

Replace ``from radiomics import featureextractor`` by
``from lvsi.radiomics import featureextractor``; the rest of a pyradiomics
script stays as it is::

    extractor = featureextractor.RadiomicsFeatureExtractor("params.yaml", binWidth=25)
    result = extractor.execute("image.nrrd", "mask.nrrd")   # OrderedDict, diagnostics first
    maps = extractor.execute("image.nrrd", "mask.nrrd", voxelBased=True)  # lvsi.Image maps

``image`` and ``mask`` may be file paths, ``lvsi.Image`` / ``lvsi.LabelImage``
objects (numpy arrays with their grid), or SimpleITK images when SimpleITK is
installed.  The values are those of ``lvsi_radiomics`` (pyradiomics' values).
"""
import ast
import collections
import copy
import functools
import json
import os

import numpy

from .. import _logging, _lvsi
from .._errors import InvalidArgument

# pyradiomics' feature classes and image types, in its order.
_FEATURE_CLASSES = tuple(_lvsi._feature_class_names())
_IMAGE_TYPES = ("Original", "LoG", "Wavelet", "Square", "SquareRoot", "Logarithm", "Exponential", "Gradient", "LBP2D",
                "LBP3D")

# Voxel types lvsi's filters can store in, as pyradiomics stores a filtered
# image in the input image's type (numpy's names).
_STORED_TYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64")

# Diagnostics pyradiomics returns as text (the others are Python literals).
_TEXT_DIAGNOSTICS = ("_Hash", "_Dimensionality")


def _getDefaultSettings():
    """pyradiomics' RadiomicsFeatureExtractor._getDefaultSettings()."""
    return {
        "minimumROIDimensions": 2, "minimumROISize": None, "normalize": False, "normalizeScale": 1,
        "removeOutliers": None, "resampledPixelSpacing": None, "interpolator": "sitkBSpline", "preCrop": False,
        "padDistance": 5, "distances": [1], "force2D": False, "force2Ddimension": 0, "resegmentRange": None,
        "label": 1, "additionalInfo": True,
    }


def _versions():
    """pyradiomics' version diagnostics, with what does that work here:
    lvsi in place of PyRadiomics, SimpleITK and PyWavelets (its own readers,
    filters and wavelets), the numpy and Python in use."""
    import platform
    lvsi_version = "lvsi " + _lvsi.__version__
    return [("diagnostics_Versions_PyRadiomics", lvsi_version),
            ("diagnostics_Versions_Numpy", numpy.__version__),
            ("diagnostics_Versions_SimpleITK", lvsi_version + " (ITK)"),
            ("diagnostics_Versions_PyWavelet", lvsi_version + " (wavelets)"),
            ("diagnostics_Versions_Python", platform.python_version())]


def _diagnostic_value(name, text):
    if name.startswith("diagnostics_Versions_") or name.endswith(_TEXT_DIAGNOSTICS):
        return text
    value = _literal(text)
    if isinstance(value, (dict, list)):  # mutable: each result has its own
        return copy.deepcopy(value)
    return numpy.float64(value) if isinstance(value, float) else value


@functools.lru_cache(maxsize=4096)
def _literal(text):
    """A diagnostic's Python value (the text when it is none); most repeat
    from one extraction to the next, so they are parsed once."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _is_sitk(obj):
    return hasattr(obj, "GetSpacing") and hasattr(obj, "GetPixelIDValue")


def _as_volume(obj, what, cls, dtype, label_channel=None):
    """A path (kept as it is) or an lvsi volume of type `cls` from a path, an
    lvsi volume of either type or a SimpleITK image."""
    if isinstance(obj, (str, os.PathLike)):
        return os.fspath(obj)
    if isinstance(obj, cls):
        return obj
    if isinstance(obj, (_lvsi.Image, _lvsi.LabelImage)):
        array, geometry = obj.array, (obj.spacing, obj.origin, obj.direction)
    elif _is_sitk(obj):
        import SimpleITK  # only when the caller passes SimpleITK images
        array, geometry = SimpleITK.GetArrayFromImage(obj), (obj.GetSpacing(), obj.GetOrigin(), obj.GetDirection())
        if array.ndim == 4:  # a vector (multi-segment) mask: its label_channel
            array = array[..., label_channel or 0]
    elif isinstance(obj, numpy.ndarray):
        raise InvalidArgument("%s: a bare numpy array has no geometry; pass lvsi.%s(array, spacing=..., origin=..., "
                              "direction=...) or a file path" % (what, cls.__name__))
    else:
        raise InvalidArgument("%s: expected a file path, lvsi.%s or SimpleITK image, got %s"
                              % (what, cls.__name__, type(obj).__name__))
    stored = getattr(obj, "pixel_type", None) or array.dtype.name
    if dtype == "int32":
        array = numpy.rint(array)
    volume = cls(array.astype(dtype), spacing=geometry[0], origin=geometry[1], direction=geometry[2])
    if stored in _STORED_TYPES:
        volume.pixel_type = stored  # as pyradiomics keeps the image's type (its filters store in it)
    return volume


class RadiomicsFeatureExtractor(object):
    """pyradiomics' RadiomicsFeatureExtractor: parameters from a file, a
    dict, or pyradiomics' defaults, overridden by keyword settings."""

    def __init__(self, *args, **kwargs):
        self.settings = {}
        self.enabledImagetypes = {}
        self.enabledFeatures = {}
        self.threads = 0  # threads of one extraction (0: every core)
        if len(args) == 1 and isinstance(args[0], (str, os.PathLike)) and os.path.isfile(args[0]):
            self.loadParams(os.fspath(args[0]))
        elif len(args) == 1 and isinstance(args[0], dict):
            self._applyParams(paramsDict=args[0])
        else:
            if len(args) == 1 and isinstance(args[0], (str, os.PathLike)):
                raise InvalidArgument("parameter file %s does not exist" % os.fspath(args[0]))
            self.settings = _getDefaultSettings()
            self.enabledImagetypes = {"Original": {}}
            self.enableAllFeatures()
        if kwargs:
            self.settings.update(kwargs)

    # -- parameters --------------------------------------------------------
    def loadParams(self, paramsFile):
        """Reads a parameter file (YAML or JSON)."""
        import yaml  # Debian's python3-yaml; pyradiomics needs it too
        with open(paramsFile) as f:
            params = yaml.safe_load(f) or {}
        self._applyParams(paramsDict=params, source=paramsFile)

    def loadJSONParams(self, JSON_configuration):
        """Reads parameters from a JSON string."""
        self._applyParams(paramsDict=json.loads(JSON_configuration))

    def _applyParams(self, paramsFile=None, paramsDict=None, source="parameters"):
        if paramsFile is not None:
            return self.loadParams(paramsFile)
        params = paramsDict or {}
        if not isinstance(params, dict):
            raise InvalidArgument("%s: parameters must be a mapping" % source)
        # lvsi checks the whole file as its own reader does (names the key).
        _lvsi._check_parameters(json.dumps(params, default=str), source)
        image_types = params.get("imageType") or {}
        features = params.get("featureClass") or {}
        self.enabledImagetypes = ({name: dict(custom or {}) for name, custom in image_types.items()}
                                  if image_types else {"Original": {}})
        if features:
            self.enabledFeatures = {name: (list(names) if names else []) for name, names in features.items()}
        else:
            self.enableAllFeatures()
        self.settings = _getDefaultSettings()
        self.settings.update(params.get("setting") or {})
        self.settings.update(params.get("voxelSetting") or {})

    def _parameters_text(self, settings):
        """The parameters as lvsi's parameter-file text (JSON is YAML)."""
        defaults = _getDefaultSettings()
        voxel_keys = ("kernelRadius", "maskedKernel", "initValue", "voxelBatch")
        # Every setting given, None included ("interpolator: None" turns
        # resampling off); pyradiomics' defaults need not be repeated.
        setting = {k: v for k, v in settings.items() if k not in voxel_keys and (k not in defaults or v != defaults[k])}
        voxel = {k: v for k, v in settings.items() if k in voxel_keys and v is not None}
        classes = {name: (names if names else None) for name, names in self.enabledFeatures.items()}
        document = {"imageType": self.enabledImagetypes, "featureClass": classes, "setting": setting}
        if voxel:
            document["voxelSetting"] = voxel
        return json.dumps(document)

    def _compiled(self, text):
        """lvsi's parsed parameters for `text`, kept while the parameters
        stay the same (parsing them again on every call cost time)."""
        cached = getattr(self, "_compiled_cache", None)
        if cached is None or cached[0] != text:
            cached = (text, _lvsi._Extractor(text, "parameters"))
            self._compiled_cache = cached
        return cached[1]

    # -- enabling ------------------------------------------------------------
    def enableAllImageTypes(self):
        for name in _IMAGE_TYPES:
            self.enabledImagetypes[name] = {}

    def disableAllImageTypes(self):
        self.enabledImagetypes = {}

    def enableImageTypeByName(self, imageType, enabled=True, customArgs=None):
        if imageType not in _IMAGE_TYPES:
            raise InvalidArgument("unknown image type %r (%s)" % (imageType, ", ".join(_IMAGE_TYPES)))
        if enabled:
            self.enabledImagetypes[imageType] = dict(customArgs or {})
        else:
            self.enabledImagetypes.pop(imageType, None)

    def enableImageTypes(self, **enabledImagetypes):
        for name, custom in enabledImagetypes.items():
            self.enableImageTypeByName(name, customArgs=custom)

    def enableAllFeatures(self):
        for name in _FEATURE_CLASSES:
            self.enabledFeatures[name] = []

    def disableAllFeatures(self):
        self.enabledFeatures = {}

    @staticmethod
    def _check_class(featureClass):
        if featureClass not in _FEATURE_CLASSES:
            raise InvalidArgument("unknown feature class %r (%s)" % (featureClass, ", ".join(_FEATURE_CLASSES)))

    def enableFeatureClassByName(self, featureClass, enabled=True):
        self._check_class(featureClass)
        if enabled:
            self.enabledFeatures[featureClass] = []
        else:
            self.enabledFeatures.pop(featureClass, None)

    def enableFeaturesByName(self, **enabledFeatures):
        for cls, names in enabledFeatures.items():
            self._check_class(cls)
            self.enabledFeatures[cls] = list(names or [])

    # -- extraction ------------------------------------------------------------
    def execute(self, imageFilepath, maskFilepath, label=None, label_channel=None, voxelBased=False):
        """Extracts the enabled features: an OrderedDict with the diagnostics
        first (pyradiomics' keys, order and types), then the features as 0-d
        float64 numpy arrays.  With ``voxelBased=True`` each feature is an
        ``lvsi.Image`` map (``.array`` gives the numpy array, (z, y, x)).  The
        GIL is released while lvsi computes."""
        settings = copy.deepcopy(self.settings)
        if label is not None:
            settings["label"] = int(label)
        if label_channel is not None:
            settings["label_channel"] = int(label_channel)
        extractor = self._compiled(self._parameters_text(settings))
        image = _as_volume(imageFilepath, "image", _lvsi.Image, "float64")
        mask = _as_volume(maskFilepath, "mask", _lvsi.LabelImage, "int32", label_channel)
        _logging.sync_level()
        if isinstance(image, str) and isinstance(mask, str):
            diagnostics, values = _lvsi._extract_files(extractor, image, mask, bool(voxelBased), False,
                                                       self.threads)
        else:
            pixel_type = getattr(image, "pixel_type", "float64")  # (lvsi.read_image sets it)
            if isinstance(image, str):
                pixel_type = _lvsi.image_pixel_type(image)
                image = _lvsi.read_image(image)
            if isinstance(mask, str):
                mask = _lvsi.read_label_image(mask, settings.get("label_channel", 0) or 0)
            diagnostics, values = _lvsi._extract(extractor, image, mask, pixel_type, bool(voxelBased), False,
                                                 self.threads)
        # pyradiomics' keys: its five version entries first (lvsi's own,
        # which lvsi_radiomics reports, are in lvsi.__version__ and the log).
        result = collections.OrderedDict()
        if diagnostics:
            for name, value in _versions():
                result[name] = value
        for name, value in diagnostics:
            if not name.startswith("diagnostics_Versions_"):
                result[name] = _diagnostic_value(name, value)
        if voxelBased:
            for name, value in values:
                result[name] = value
        else:
            names, arrays = values  # each feature a 0-d float64 array of its own
            result.update(zip(names, arrays))
        return result
