"""lvsi: MRI radiomics and deep-learning prediction of lymph-vascular space
invasion, from Python, on lvsi's C++ core.

- ``lvsi.radiomics.featureextractor``: pyradiomics' API (switching is one
  import line), with voxel-based maps;
- ``lvsi.Image`` / ``lvsi.LabelImage``: numpy arrays in SimpleITK's (z, y, x)
  order with their grid; ``read_image``, ``read_label_image``, ``write_image``;
- ``lvsi.stats``: ROC, AUC with DeLong intervals, DeLong tests, Youden
  metrics, calibration, decision curves, the clinical-table tests, ICC;
- ``lvsi.selection``: LASSO logistic regression with cross-validation;
- ``lvsi.models``: SVC and LogisticRegression with scikit-learn's methods;
- ``lvsi.deepfeatures``: ResNet-50 features, logits and Grad-CAM (when lvsi
  was built with LibTorch);
- ``lvsi.study``: the study end to end (``lvsi_study``) and its report;
- ``read_table`` / ``write_table`` (feature tables), ``read_manifest``.

Errors are raised as :class:`lvsi.Error` subclasses (``lvsi.IoError`` is an
``OSError``, ``lvsi.InvalidArgument`` a ``ValueError``, ...); log messages go
to Python's ``logging`` (logger ``"lvsi"``).  Long calls release the GIL.
"""
from ._errors import (DataError, Error, FormatError, GeometryError, InputError, InvalidArgument, IoError,
                      ManifestError, MissingFileError, ModelError, OutputError)
from ._lvsi import (Image, LabelImage, __version__, image_pixel_type, models, read_image, read_label_image,
                    read_manifest, read_table, selection, set_threads, stats, with_deepfeatures, write_image,
                    write_label_image, write_table)
from . import _logging, study

if with_deepfeatures:
    from ._lvsi import deepfeatures  # noqa: F401

_logging.install()

__all__ = [
    "Error", "IoError", "MissingFileError", "OutputError", "FormatError", "ManifestError", "InputError", "DataError",
    "GeometryError", "InvalidArgument", "ModelError", "Image", "LabelImage", "read_image", "read_label_image",
    "write_image", "write_label_image", "image_pixel_type", "set_threads", "stats", "selection", "models",
    "read_table", "write_table", "read_manifest", "study",
    "__version__", "with_deepfeatures",
]
