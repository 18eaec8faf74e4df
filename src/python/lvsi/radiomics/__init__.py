"""pyradiomics' API on lvsi: ``from lvsi.radiomics import featureextractor``."""
from . import featureextractor  # noqa: F401

# pyradiomics' feature classes in its order (radiomics.getFeatureClasses()).
FEATURE_CLASSES = ("firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape", "shape2D")
IMAGE_TYPES = ("Original", "LoG", "Wavelet", "Square", "SquareRoot", "Logarithm", "Exponential", "Gradient", "LBP2D",
               "LBP3D")


def getFeatureClasses():
    """The feature class names, as pyradiomics' getFeatureClasses() keys."""
    return list(FEATURE_CLASSES)


def getImageTypes():
    """The image type names, as pyradiomics' getImageTypes()."""
    return list(IMAGE_TYPES)
