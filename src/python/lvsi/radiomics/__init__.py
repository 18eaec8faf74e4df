"""pyradiomics' API on lvsi: ``from lvsi.radiomics import featureextractor``."""
from . import featureextractor  # noqa: F401

FEATURE_CLASSES = featureextractor._FEATURE_CLASSES  # pyradiomics' order
IMAGE_TYPES = featureextractor._IMAGE_TYPES


def getFeatureClasses():
    """The feature class names, as pyradiomics' getFeatureClasses() keys."""
    return list(FEATURE_CLASSES)


def getImageTypes():
    """The image type names, as pyradiomics' getImageTypes()."""
    return list(IMAGE_TYPES)


def _parameters_yaml(params):
    """Parameter-file text from a path, a dict or a RadiomicsFeatureExtractor."""
    import json
    import os
    if isinstance(params, featureextractor.RadiomicsFeatureExtractor):
        return params._parameters_text(params.settings)
    if isinstance(params, dict):
        return json.dumps(params)
    with open(os.fspath(params)) as f:
        return f.read()


def extract_cohort(manifest, parameters, out_dir, threads=0, progress=None):
    """Extracts every sequence of every case of a cohort manifest for both
    readers (lvsi_extract_cohort): ``parameters`` maps each sequence to a
    parameter file, dict or RadiomicsFeatureExtractor.  Finished cases in
    ``out_dir`` are reused when nothing they depend on changed.  Progress
    goes to ``progress(done, total, case_id)`` when given, else to a tqdm bar
    when tqdm is installed.  Returns the run's report with the merged
    reader-1 table under "features" ({'ids', 'columns', 'values'})."""
    from .. import _logging, _lvsi
    bar = None
    callback = None
    if progress is not None:
        def callback(stage, done, total, item):
            progress(done, total, item)
    else:
        try:
            import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            bar = tqdm.tqdm(unit="case")

            def callback(stage, done, total, item):
                bar.total = total
                bar.set_postfix_str(item)
                bar.update(done - bar.n)
    _logging.sync_level()
    try:
        return _lvsi._extract_cohort(str(manifest), {k: _parameters_yaml(v) for k, v in parameters.items()},
                                     str(out_dir), int(threads), callback)
    finally:
        if bar is not None:
            bar.close()
